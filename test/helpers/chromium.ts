// Debian's Chromium for the tests that look at pages as a person does (scripts/install-test-deps.sh installs it),
// started headless with nothing in the background that would reach the network.
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
