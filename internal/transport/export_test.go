package transport

// ServerNap is how long an answering side sleeps at most before it looks
// again.
const ServerNap = serverNap
