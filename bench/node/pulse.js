// The original Node.js server's pulse, as the baseline of heartbeat-bench's CPU-per-pulse comparison:
// `GET /heartbeat/pulse?host=…&category=…&type=…&name=…[&threshold=…]` becomes one UpdateItem through
// aws-sdk v2's DocumentClient (the original's SDK), keyed by the SHA-256 of the four values, and
// answers the original's body. Plain `http` server, no framework, so the comparison is SDK against SDK.
//
// Settings (environment): PORT (0 picks a free one; the chosen port is printed as `listening PORT`),
// AWS_ENDPOINT_URL_DYNAMODB (dynalite), TABLE_NAME, AWS_REGION and the credentials.
'use strict';

const http = require('http');
const crypto = require('crypto');
const AWS = require('aws-sdk');

const table = process.env.TABLE_NAME || 'Heartbeat';
// Keep-alive towards DynamoDB, as the Rust SDK does: otherwise Node pays a TCP connect per pulse.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const db = new AWS.DynamoDB.DocumentClient({
  endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
  region: process.env.AWS_REGION || 'us-east-1',
  httpOptions: { agent, timeout: 3000, connectTimeout: 2000 },
  maxRetries: 2,
});

function pulse(query, res) {
  const host = query.get('host');
  const category = query.get('category');
  const type = query.get('type');
  const name = query.get('name');
  if (!host || !category || !type || !name) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('host, category, type and name are required');
    return;
  }
  const id = crypto.createHash('sha256').update(host + category + type + name).digest('hex');
  const params = {
    TableName: table,
    Key: { _id: id },
    UpdateExpression:
      'SET host = :host, category = :category, typeF = :type, nameF = :name, timestampF = :ts, ' +
      'thresholdF = if_not_exists(thresholdF, :threshold), saturday = if_not_exists(saturday, :saturday)',
    ExpressionAttributeValues: {
      ':host': host,
      ':category': category,
      ':type': type,
      ':name': name,
      ':ts': new Date().toISOString(),
      ':threshold': query.get('threshold') || '24',
      ':saturday': query.get('saturday') === '1' ? '1' : '0',
    },
  };
  db.update(params, (err) => {
    if (err) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('The pulse could not be stored; retry.');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('Successful Heartbeat Pulse');
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/heartbeat/pulse') {
    pulse(url.searchParams, res);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  }
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
