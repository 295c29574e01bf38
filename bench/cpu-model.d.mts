/** The CPU's model name and widest vector extension (Linux), e.g. "AMD EPYC (AVX2)". */
export function cpuModel(): string;
