/**
 * The service's one web page: pick an item, see its nearest neighbours with scores. Plain HTML
 * with a little inline script and no external resources, so it works offline and ships inside
 * the package as a string.
 */
export function renderServicePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>simlearn similarity service</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d232b; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  #status { color: #5a6470; margin-bottom: 1.2rem; }
  form { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
  label { display: flex; flex-direction: column; font-size: .85rem; color: #5a6470; }
  input, select, button { font: inherit; padding: .3rem .5rem; }
  select { min-width: 14rem; }
  button { cursor: pointer; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e3e7ec; }
  td.num { font-variant-numeric: tabular-nums; text-align: right; }
  tr.match td.label { color: #17703a; font-weight: 600; }
  tr.miss td.label { color: #a33; }
  #error { color: #a33; min-height: 1.2rem; }
  a.item { color: #1f5fbf; cursor: pointer; }
</style>
</head>
<body>
<h1>simlearn similarity service</h1>
<div id="status">loading…</div>
<form id="query">
  <label>filter <input id="filter" placeholder="id or label" size="12"></label>
  <label>item <select id="item-select"></select></label>
  <label>k <input id="k" type="number" min="1" max="100" value="10" size="4"></label>
  <button id="search" type="submit">Find similar</button>
</form>
<div id="error" role="alert"></div>
<div id="query-info"></div>
<table id="results" hidden>
  <thead><tr><th>#</th><th>id</th><th>label</th><th>score</th><th>distance</th></tr></thead>
  <tbody></tbody>
</table>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  let hasLabels = false;

  async function api(path, body) {
    const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(json.message || res.statusText);
    return json;
  }

  async function loadItems() {
    const q = $('filter').value.trim();
    const data = await api('/items?limit=1000' + (q ? '&q=' + encodeURIComponent(q) : ''));
    const sel = $('item-select');
    sel.innerHTML = data.items.map((it) => '<option value="' + esc(JSON.stringify(it.id)) + '">' + esc(it.id) + (it.label !== undefined ? ' (' + esc(it.label) + ')' : '') + '</option>').join('');
    return data;
  }

  async function search(id) {
    $('error').textContent = '';
    try {
      const k = Number($('k').value) || 10;
      const r = await api('/similar', { id, k });
      const ql = r.query && r.query.label;
      $('query-info').innerHTML = 'Neighbours of <b>' + esc(r.query.id) + '</b>' + (ql !== undefined ? ' (label ' + esc(ql) + ')' : '');
      $('results').querySelector('tbody').innerHTML = r.results.map((x, i) => {
        const cls = hasLabels ? (x.label === ql ? 'match' : 'miss') : '';
        return '<tr class="' + cls + '" data-id="' + esc(JSON.stringify(x.id)) + '"><td>' + (i + 1) + '</td><td><a class="item">' + esc(x.id) + '</a></td><td class="label">' + esc(x.label ?? '') + '</td><td class="num">' + x.score.toFixed(4) + '</td><td class="num">' + x.distance.toFixed(4) + '</td></tr>';
      }).join('');
      $('results').hidden = false;
    } catch (e) {
      $('error').textContent = e.message;
    }
  }

  $('query').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = $('item-select').value;
    if (v) search(JSON.parse(v));
  });
  $('filter').addEventListener('change', () => loadItems().catch((e) => { $('error').textContent = e.message; }));
  $('results').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-id]');
    if (tr && ev.target.classList.contains('item')) search(JSON.parse(tr.dataset.id));
  });

  (async () => {
    try {
      const h = await api('/health');
      hasLabels = h.labels;
      $('k').max = String(h.maxK);
      $('status').textContent = 'model ' + h.model + ' · ' + h.items + ' items · ' + h.dim + ' features → ' + h.embeddingDim + '-d embedding · backend ' + h.backend + (h.threshold !== null ? ' · verify threshold ' + h.threshold.toFixed(4) + ' (' + h.thresholdSource + ')' : '');
      await loadItems();
      document.body.dataset.ready = 'true';
    } catch (e) {
      $('status').textContent = 'service unavailable: ' + e.message;
    }
  })();
})();
</script>
</body>
</html>
`;
}
