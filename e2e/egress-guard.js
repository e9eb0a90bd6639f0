#!/usr/bin/env node
/**
 * Loopback-only egress for the e2e kube-apiserver.
 *
 * cluster.ts points the apiserver's "cluster" egress (EgressSelectorConfiguration: kubelet
 * connections for logs/exec/port-forward, pods/services proxy, webhooks, aggregated APIs) at
 * this HTTP CONNECT proxy on a unix socket. It opens a tunnel only to loopback addresses
 * (127.0.0.0/8, ::1, "localhost"), so a webhook served by a process on 127.0.0.1 works, while
 * the virtual pod IPs kwok hands out and the virtual Service range are never dialled:
 * such a CONNECT is answered 403 and logged as `refused`.
 *
 * With a real node (cluster.ts `realNode`), a third argument lists the node's own networks
 * (its pod bridge subnet and the Service range kube-proxy maps onto it): those are pods on this
 * machine, tunnelled too. Nothing else is.
 *
 * Usage: node egress-guard.js <unix socket path> [service map json] [cidr,cidr...]
 *   (logs to stdout; exits on SIGTERM)
 */
'use strict';
const net = require('net');
const fs = require('fs');

const socketPath = process.argv[2];
/**
 * Optional JSON file { "<service ClusterIP>:<port>": "127.0.0.1:<port>" }, read at each CONNECT:
 * a Service the test runs on this machine (e.g. the operator's webhook) is reached on its
 * loopback port. Only loopback destinations are accepted, so nothing leaves the machine.
 */
const serviceMapPath = process.argv[3] || undefined;
/** IPv4 CIDRs of the machine's own pod network, e.g. "10.88.0.0/24,10.96.0.0/16". */
const localCidrs = (process.argv[4] || '').split(',').filter(Boolean).map(parseCidr);

function parseCidr(c) {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(c.trim());
  if (!m || !net.isIPv4(m[1]) || Number(m[2]) > 32) {
    console.error(`egress-guard: not an IPv4 CIDR: ${c}`);
    process.exit(2);
  }
  return { base: ipv4ToInt(m[1]), bits: Number(m[2]) };
}

function ipv4ToInt(ip) {
  return ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

function inLocalCidrs(host) {
  if (!net.isIPv4(host)) return false;
  const ip = ipv4ToInt(host);
  return localCidrs.some(({ base, bits }) => bits === 0 || ((ip ^ base) >>> (32 - bits)) === 0);
}
if (!socketPath) {
  console.error('usage: egress-guard.js <unix socket path> [service map json]');
  process.exit(2);
}

function mapped(target) {
  if (!serviceMapPath || !fs.existsSync(serviceMapPath)) return undefined;
  let map;
  try {
    map = JSON.parse(fs.readFileSync(serviceMapPath, 'utf8'));
  } catch {
    return undefined;
  }
  const to = map[`${target.host}:${target.port}`];
  const dest = typeof to === 'string' ? splitHostPort(to) : undefined;
  return dest && isLoopback(dest.host) ? dest : undefined;
}

function log(msg) {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}

/** Only literal loopback targets: no name is resolved, so no DNS query leaves either. */
function isLoopback(host) {
  if (host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (net.isIPv4(h)) return h.split('.')[0] === '127';
  if (net.isIPv6(h)) return h === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(h);
  return false;
}

function splitHostPort(target) {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1], port } : undefined;
}

const server = net.createServer((client) => {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 16 * 1024) client.destroy();
      return;
    }
    client.removeListener('data', onData);
    const rest = head.subarray(end + 4);
    const requestLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const m = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    const asked = m ? splitHostPort(m[1]) : undefined;
    const target = asked ? mapped(asked) ?? asked : undefined;
    if (target && target !== asked) log(`mapped ${m[1]} to ${target.host}:${target.port}`);
    if (!target || !(isLoopback(target.host) || inLocalCidrs(target.host))) {
      log(`refused ${JSON.stringify(requestLine)}`);
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: target.host.replace(/^\[|\]$/g, ''), port: target.port });
    upstream.once('connect', () => {
      log(`tunnel ${m[1]}`);
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (rest.length) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.once('error', (err) => {
      log(`tunnel ${m[1]} failed: ${err.message}`);
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    client.once('error', () => upstream.destroy());
  };
  client.on('data', onData);
  client.on('error', () => client.destroy());
});

fs.rmSync(socketPath, { force: true });
server.listen(socketPath, () => log(`listening on ${socketPath}`));
const stop = () => {
  server.close();
  fs.rmSync(socketPath, { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
