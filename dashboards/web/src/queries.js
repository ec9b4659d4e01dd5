// The fleet overview's PromQL, one instant query per column (no DOM here:
// the benchmark imports it too).
export const NET = 'device!~"lo|veth.*|docker.*|br-.*|virbr.*"';
export const OVERVIEW_QUERIES = {
  up: 'min by (instance) (up)',
  cpu: 'max by (instance) (system_cpu_percent) or 100 * (1 - sum by (instance) (rate(node_cpu_seconds_total{mode=~"idle|iowait"}[5m])) / sum by (instance) (rate(node_cpu_seconds_total[5m])))',
  mem: '100 * (1 - max by (instance) (node_memory_MemAvailable_bytes) / max by (instance) (node_memory_MemTotal_bytes))',
  disk: '100 * (1 - max by (instance) (node_filesystem_avail_bytes{mountpoint="/"}) / max by (instance) (node_filesystem_size_bytes{mountpoint="/"}))',
  load1: 'max by (instance) (node_load1)',
  rx: `sum by (instance) (rate(node_network_receive_bytes_total{${NET}}[5m]))`,
  tx: `sum by (instance) (rate(node_network_transmit_bytes_total{${NET}}[5m]))`,
  // Newest sample per host within the lookback window, and how many samples the
  // last 10 minutes hold (-> the host's reporting interval).
  seen: 'max by (instance) (timestamp(node_memory_MemTotal_bytes) or timestamp(up))',
  count10m: 'max by (instance) (count_over_time(node_memory_MemTotal_bytes[10m]) or count_over_time(up[10m]))',
  // Every host heard from in the last day, also those silent for longer than the lookback.
  known: 'max by (instance, job) (last_over_time(node_memory_MemTotal_bytes[1d]) * 0 + 1 or last_over_time(up[1d]) * 0 + 1)',
};

