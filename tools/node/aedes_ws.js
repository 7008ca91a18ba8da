'use strict'
// aedes (an MQTT broker written for Node) behind a WebSocket server, for
// tools/captures/ws_captures.sh.
//
//   node tools/node/aedes_ws.js --port PORT [--deflate]
//
// Serves MQTT over WebSocket at ws://127.0.0.1:PORT/mqtt, subprotocol "mqtt" (RFC 6455 binary
// messages, each handed to aedes as stream bytes through ws.createWebSocketStream). With
// --deflate the server accepts permessage-deflate (RFC 7692) with context takeover and compresses
// every message of 16 bytes or more. Prints one "listening" line when ready; SIGTERM or SIGINT
// closes the servers and exits.
const { createWebSocketStream } = require('ws')
const Aedes = require('aedes')
const { parse, usage } = require('./args')
const { mqttWebSocketServer } = require('./ws_mqtt')

const USAGE = `
usage: node aedes_ws.js --port PORT [--deflate]
`

function main () {
  const args = parse(process.argv.slice(2), ['deflate'])
  const port = Number(args.port)
  if (!Number.isInteger(port) || port <= 0 || args._.length) usage(USAGE)

  const broker = Aedes()
  const { server, wss } = mqttWebSocketServer(args.deflate)
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket)
    stream.on('error', () => stream.destroy())
    broker.handle(stream, req)
  })
  broker.on('clientError', (client, err) => console.error(`client ${client.id}: ${err.message}`))
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening ws://127.0.0.1:${port}/mqtt${args.deflate ? ' (permessage-deflate)' : ''}`)
  })

  const stop = () => {
    setTimeout(() => process.exit(0), 2000).unref()
    for (const client of wss.clients) client.terminate()
    wss.close()
    server.close()
    broker.close(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main()
