// The -march the addon is compiled for: the build machine's CPU by default (the addon is built
// where it runs); LSTM_ENGINE_MARCH overrides it, e.g. x86-64-v3 for images that run elsewhere.
const march = process.env.LSTM_ENGINE_MARCH || 'native';
if (!/^[A-Za-z0-9_.-]+$/.test(march)) throw new Error(`LSTM_ENGINE_MARCH '${march}' is not a -march value`);
// 512-bit vectors where the CPU has them (GCC prefers 256 by default); ignored elsewhere.
process.stdout.write(`-march=${march} -mprefer-vector-width=512`);
