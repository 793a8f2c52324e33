// Loaded by mocha before any test (.mocharc.json "require"): every server a test starts, in this process or in a
// child process that inherits the environment, listens on a port the OS picks. NOTE: a test once started a
// server on the default HTTP port 9464 while another server held it, and CI failed; fixed ports are never safe.
process.env.PORT = '0';
process.env.HTTP_PORT = '0';
