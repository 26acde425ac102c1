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
