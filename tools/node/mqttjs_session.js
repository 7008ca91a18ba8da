'use strict'
// One mqtt.js (MQTT.js 5) session over ws:// or wss:// for tools/captures/ws_captures.sh.
//
//   node [--tls-keylog=FILE] tools/node/mqttjs_session.js URL --client-id ID [--mqtt 3.1.1|5]
//        [--deflate] [--ca CA.pem] [--tls-max 1.2|1.3] [--large BYTES]
//
// Every step waits (bounded) for its answer, so the MQTT packet sequence is fixed: CONNECT;
// SUBSCRIBE ID/# at QoS 2; PUBLISH QoS 0, 1 and 2 to ID/small/..., each delivered back; with
// --mqtt 5 two QoS 1 PUBLISHes that set and then use Topic Alias 1 (the second with an empty
// topic), and User Properties on CONNECT, SUBSCRIBE and PUBLISH; one BYTES-long PUBLISH QoS 1
// (text, so permessage-deflate has something to compress) delivered back; five small QoS 0
// PUBLISHes written back to back and delivered back; DISCONNECT. --deflate offers
// permessage-deflate (compressing every message); without it no extension is offered.
// node's --tls-keylog writes the NSS key log of a wss:// connection. Prints one line at the end.
const fs = require('fs')
const mqtt = require('mqtt')
const { parse, usage } = require('./args')

const STEP_TIMEOUT_MS = 10000
const BURST = 5
const USAGE = `
usage: node [--tls-keylog=FILE] mqttjs_session.js URL --client-id ID [--mqtt 3.1.1|5] [--deflate]
            [--ca CA.pem] [--tls-max 1.2|1.3] [--large BYTES]
`

function within (promise, what) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// A text payload of `size` bytes: numbered readings, compressible but not one repeated byte.
function largePayload (size) {
  let text = ''
  for (let i = 0; text.length < size; i++) text += `{"seq":${i},"temp":${(20 + (i * 7) % 13 / 10).toFixed(1)}}\n`
  return Buffer.from(text.slice(0, size))
}

async function main () {
  const args = parse(process.argv.slice(2), ['deflate'])
  const url = args._[0]
  const id = args['client-id']
  const v5 = args.mqtt === '5'
  if (!url || !id || args._.length !== 1 || (args.mqtt && !['3.1.1', '5'].includes(args.mqtt))) usage(USAGE)
  const large = Number(args.large || 100000)

  const wsOptions = { perMessageDeflate: args.deflate ? { threshold: 0 } : false }
  if (args.ca) {
    wsOptions.ca = fs.readFileSync(args.ca)
    wsOptions.rejectUnauthorized = true
  }
  if (args['tls-max']) wsOptions.maxVersion = `TLSv${args['tls-max']}`
  const props = v5 ? { userProperties: { origin: 'mqttjs_session' } } : undefined

  const client = await within(mqtt.connectAsync(url, {
    clientId: id,
    protocolVersion: v5 ? 5 : 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    connectTimeout: STEP_TIMEOUT_MS,
    properties: v5 ? { userProperties: { tool: 'mqttjs_session' }, topicAliasMaximum: 10 } : undefined,
    wsOptions
  }), 'CONNACK')

  const received = []
  let wake = () => {}
  client.on('message', (topic, payload) => {
    received.push({ topic, size: payload.length })
    wake()
  })
  const waitFor = (count) => within(new Promise((resolve) => {
    wake = () => { if (received.length >= count) resolve() }
    wake()
  }), `${count} messages back (got ${received.length})`)

  await within(client.subscribeAsync(`${id}/#`, { qos: 2, properties: props }), 'SUBACK')
  for (const qos of [0, 1, 2]) {
    await within(client.publishAsync(`${id}/small/qos${qos}`, `QoS ${qos} from mqtt.js`, { qos, properties: props }), `PUBLISH QoS ${qos}`)
    await waitFor(qos + 1)
  }
  let expect = 3
  if (v5) {
    await within(client.publishAsync(`${id}/small/alias`, 'sets Topic Alias 1', { qos: 1, properties: { ...props, topicAlias: 1 } }), 'alias set')
    await within(client.publishAsync('', 'by Topic Alias 1, empty topic', { qos: 1, properties: { ...props, topicAlias: 1 } }), 'alias used')
    expect += 2
    await waitFor(expect)
  }
  await within(client.publishAsync(`${id}/large`, largePayload(large), { qos: 1 }), 'large PUBLISH')
  await waitFor(++expect)
  for (let i = 0; i < BURST; i++) client.publish(`${id}/small/burst`, `burst ${i}`, { qos: 0 })
  await waitFor(expect + BURST)
  await within(client.endAsync(), 'DISCONNECT')
  console.log(`${id}: MQTT ${v5 ? '5' : '3.1.1'} over ${url.split(':')[0]}${args.deflate ? ' (permessage-deflate offered)' : ''}, ` +
    `${received.length} messages back, largest ${Math.max(...received.map((m) => m.size))} bytes`)
}

main().catch((err) => {
  console.error(`mqttjs_session: ${err.message}`)
  process.exit(1)
})
