// The test run's shared dynalite (started by start.sh): in memory, on a free loopback port, tables
// ACTIVE at once. Writes its port to the file argv[3] once it listens, and ends, removing argv[4],
// when the process argv[2] (the nextest run) is gone, however that ended.
'use strict'
const fs = require('fs')
const path = require('path')

const [runner, portFile, dir] = process.argv.slice(2)
const dynalite = require(path.resolve(__dirname, '../../node_modules/dynalite'))
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })

server.listen(0, '127.0.0.1', () => {
  // Written whole, then renamed: start.sh never reads half a port.
  fs.writeFileSync(`${portFile}.part`, String(server.address().port))
  fs.renameSync(`${portFile}.part`, portFile)
})

process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
setInterval(() => {
  try {
    process.kill(Number(runner), 0)
  } catch (error) {
    if (error.code === 'ESRCH') process.exit(0)
  }
}, 500)
