// A real redis-server for tests and benchmarks, on a free localhost port, stopped with the process.
import { spawn } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { once } from 'node:events'

/** A port nothing listens on now. */
export async function freePort() {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address()
  await new Promise((ok) => srv.close(ok))
  return port
}

async function waitForPort(port, deadline) {
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s.end() && true)).on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`redis-server did not listen on ${port}`)
}

/** Starts redis-server on `port` (a free one by default); `stop()` kills it. No persistence. */
export async function startRedis(port) {
  port ??= await freePort()
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'], { stdio: 'ignore' })
  const exited = once(proc, 'exit')
  proc.on('error', () => {})
  const stop = async (signal = 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal)
      await exited
    }
  }
  process.once('exit', () => proc.kill('SIGKILL'))
  await waitForPort(port, Date.now() + 10000)
  return { port, url: `redis://127.0.0.1:${port}`, stop }
}

const run = (cmd, args) => new Promise((resolve, reject) => {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (out += d))
  p.on('error', reject)
  // 'close', not 'exit': the process can exit before its output has been read.
  p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`))))
})
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms))

/** `redis-cli -p port args…`, its output trimmed. */
export const cli = (port, ...args) => run('redis-cli', ['-p', String(port), ...args]).then((s) => s.trim())

/** A port whose cluster bus (port + 10000) is free too: redis-cli reaches the bus at that offset. */
async function clusterPort() {
  for (;;) {
    const port = await freePort()
    if (port > 55535) continue
    const bus = createServer().listen(port + 10000, '127.0.0.1')
    const ok = await new Promise((resolve) => bus.once('listening', () => resolve(true)).once('error', () => resolve(false)))
    if (ok) {
      await new Promise((done) => bus.close(done))
      return port
    }
  }
}

/**
 * A Redis Cluster on free localhost ports: `masters` masters with the 16,384 slots split evenly
 * (`redis-cli --cluster create`), plus one replica for each master index in `replicaOf`. Nodes
 * keep their cluster config in a temporary directory, so a stopped node restarted with
 * `node.start()` rejoins with the same id. `cluster-require-full-coverage no`: a master that is
 * down leaves its own slots unserved, not the whole cluster. `stop()` kills every node.
 */
export async function startRedisCluster({ masters = 3, replicaOf = [], nodeTimeoutMs = 2000 } = {}) {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'rr-cluster-'))
  const node = async (role) => {
    const port = await clusterPort()
    let proc
    const n = {
      port,
      role,
      url: `redis://127.0.0.1:${port}`,
      get running() { return proc && proc.exitCode === null && proc.signalCode === null },
      async start() {
        proc = spawn('redis-server', [
          '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
          '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs),
          '--cluster-require-full-coverage', 'no', '--repl-diskless-sync-delay', '0', '--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru',
        ], { stdio: 'ignore' })
        proc.on('error', () => {})
        await waitForPort(port, Date.now() + 10000)
      },
      async stop(signal = 'SIGKILL') {
        if (!n.running) return
        const exited = once(proc, 'exit')
        proc.kill(signal)
        await exited
      },
      id: () => cli(port, 'cluster', 'myid'),
    }
    await n.start()
    return n
  }
  const nodes = []
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', () => nodes.forEach((n) => n.running && n.stop()))
  try {
    for (let i = 0; i < masters; i++) nodes.push(await node('master'))
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'])
    for (const m of replicaOf) {
      const r = await node('replica')
      nodes.push(r)
      await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${r.port}`, `127.0.0.1:${nodes[0].port}`, '--cluster-slave', '--cluster-master-id', await nodes[m].id()])
    }
    const cluster = { nodes, masters: nodes.slice(0, masters), replicas: nodes.slice(masters), urls: nodes.map((n) => n.url), dir, stop, waitUntilOk }
    await waitUntilOk(cluster)
    return cluster
  } catch (e) {
    await stop()
    throw e
  }
}

/**
 * Resolves once every running node reports cluster_state:ok and knows every slot, and as many
 * running nodes as the cluster was made with replicas are replicas whose link to their master is
 * up (within `ms`).
 */
async function waitUntilOk(cluster, ms = 20000) {
  const deadline = Date.now() + ms
  const running = () => cluster.nodes.filter((n) => n.running)
  for (;;) {
    const checks = await Promise.all(running().map(async (n) => {
      const info = await cli(n.port, 'cluster', 'info').catch(() => '')
      if (!/cluster_state:ok/.test(info) || !/cluster_slots_assigned:16384/.test(info)) return false
      const repl = await cli(n.port, 'info', 'replication').catch(() => '')
      return /role:slave/.test(repl) ? (/master_link_status:up/.test(repl) ? 'replica' : false) : 'master'
    }))
    const replicas = checks.filter((c) => c === 'replica').length
    if (checks.every(Boolean) && replicas >= Math.min(cluster.replicas.length, running().length - cluster.masters.length)) return
    if (Date.now() > deadline) throw new Error('the cluster did not become ok')
    await sleep(100)
  }
}
