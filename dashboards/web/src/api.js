// The server's Prometheus-compatible API, by URLs relative to the page
// (/dashboard/ -> ../api/v1/), so the dashboard works behind any host, port or
// path prefix. Errors keep the API's errorType and error text verbatim.

const base = new URL('../api/v1/', document.baseURI);

export class ApiError extends Error {
  constructor(errorType, error, httpStatus) {
    super(`${errorType}: ${error}`);
    this.errorType = errorType;
    this.error = error;
    this.httpStatus = httpStatus;
  }
}

export async function apiGet(path, params = {}, signal) {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  }
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('network', `cannot reach the server: ${e.message}`, 0);
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError('http', `HTTP ${res.status}: ${text.slice(0, 500)}`, res.status);
  }
  if (body.status !== 'success') {
    throw new ApiError(body.errorType || 'error', body.error || `HTTP ${res.status}`, res.status);
  }
  return body.data;
}

export const query = (q, time, signal) => apiGet('query', { query: q, time }, signal);
export const queryRange = (q, start, end, step, signal) =>
  apiGet('query_range', { query: q, start, end, step }, signal);

// Instant query -> Map(labelValue -> number) keyed by one label.
export async function queryByLabel(q, label, time, signal) {
  const data = await query(q, time, signal);
  const out = new Map();
  if (data.resultType === 'vector') {
    for (const s of data.result) out.set(s.metric[label] ?? '', Number(s.value[1]));
  }
  return out;
}

// Escapes a string for use inside a PromQL double-quoted label value.
export const promStr = (s) => '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
// Escapes a string for a PromQL regex matcher (RE2) literal.
export const promRegexLiteral = (s) => String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
