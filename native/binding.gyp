{
  "targets": [
    {
      "target_name": "simlearn_native",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/kernels.cc",
        "src/knn.cc",
        "src/scan.cc",
        "src/dot_tile.cc",
        "src/linalg.cc",
        "src/async.cc",
        "src/rerank.cc",
        "src/rerank_export.cc",
        "src/glasso.cc",
        "src/pairs.cc",
        "src/softmax.cc",
        "src/impostors.cc",
        "src/row_scan.cc",
        "src/lsml.cc",
        "src/scml.cc",
        "src/affinity.cc",
        "src/sample_pairs.cc",
        "src/itml.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lopenblas", "-llapacke"],
      "conditions": [
        # A portable baseline (SSE4.2/POPCNT), never -march=native: the binary may be copied to
        # another machine of the same family. OpenBLAS dispatches its own kernels at run time,
        # so the heavy lifting still uses AVX2/AVX-512 where the CPU has them.
        ["target_arch=='x64'", { "cflags_cc": ["-march=x86-64-v2", "-mtune=generic"] }]
      ]
    }
  ]
}
