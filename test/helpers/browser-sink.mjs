#!/usr/bin/env node
// What the tests set BROWSER to: hands the URL rdp wants opened to the test (a POST to the test's
// sink server), where Chromium or a plain HTTP client plays the person at the browser.
const [url] = process.argv.slice(2);
const sink = process.env.RDP_TEST_BROWSER_SINK;
if (!url || !sink) process.exit(2);
await fetch(sink, { method: 'POST', body: url });
