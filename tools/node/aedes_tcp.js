'use strict'
// aedes (an MQTT broker written for Node) on a plain TCP listener, for
// tests/probe/conform_aedes_test.py (mqtt-probe conform against a second broker).
//
//   node tools/node/aedes_tcp.js --port PORT
//
// Serves MQTT over TCP at 127.0.0.1:PORT with aedes' defaults (anonymous clients, in-memory
// persistence). Prints one "listening" line when ready; SIGTERM or SIGINT closes the server and
// exits.
const net = require('net')
const Aedes = require('aedes')
const { parse, usage } = require('./args')

const USAGE = `
usage: node aedes_tcp.js --port PORT
`

function main () {
  const args = parse(process.argv.slice(2))
  const port = Number(args.port)
  if (!Number.isInteger(port) || port <= 0 || args._.length) usage(USAGE)

  const broker = Aedes()
  const sockets = new Set()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    broker.handle(socket)
  })
  broker.on('clientError', (client, err) => console.error(`client ${client.id}: ${err.message}`))
  broker.on('connectionError', (client, err) => console.error(`connection: ${err.message}`))
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening mqtt://127.0.0.1:${port}`)
  })

  const stop = () => {
    setTimeout(() => process.exit(0), 2000).unref()
    for (const socket of sockets) socket.destroy()
    server.close()
    broker.close(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main()
