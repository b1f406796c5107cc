// Printed at the start of `npm test` so a log shows which Node actually ran the suite
// (the repo pins Node 24 through the `node` npm package; the machine's own Node may be older).
console.log(`souk test run on Node ${process.version} (${process.platform}-${process.arch})`);
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error('Node >= 22 is required; run through npm scripts so the pinned Node 24 is used.');
  process.exit(1);
}
