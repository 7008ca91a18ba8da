'use strict'
// Command-line options for the helpers here: `--name value`, `--flag`, and positional arguments.
// parse(argv, flags) -> { _: [positional...], name: value, flag: true }; flags names the options
// that take no value. An unknown option is the caller's to reject.
function parse (argv, flags = []) {
  const out = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) {
      out._.push(a)
    } else if (flags.includes(a.slice(2))) {
      out[a.slice(2)] = true
    } else if (i + 1 < argv.length) {
      out[a.slice(2)] = argv[++i]
    } else {
      throw new Error(`${a} needs a value`)
    }
  }
  return out
}

// usage(text): print text to stderr and exit 2.
function usage (text) {
  process.stderr.write(text.replace(/^\n/, ''))
  process.exit(2)
}

module.exports = { parse, usage }
