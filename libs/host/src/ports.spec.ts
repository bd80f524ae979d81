import * as net from 'node:net';
import { isPortFree, portHolder, portTakenMessage } from './ports';
import { isSetupFailure, SetupFailure } from './setup-failure';

// Listens on an ephemeral loopback port: the one piece of I/O, because finding a port's holder is
// reading the kernel's own tables about a real socket.
describe('ports', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('names the process holding a port, with its command line', async () => {
    expect(await isPortFree(port)).toBe(false);
    expect(portHolder(port)).toEqual({ pid: process.pid, command: expect.stringContaining('node') });
    expect(portTakenMessage(port, 'web screens')).toMatch(new RegExp(`^port ${port} \\(web screens\\) is already in use by pid ${process.pid} \\(.+\\); stop it, or shift every port with PEDIGREE_PORT_OFFSET=<n>$`));
  });

  it('a free port has no holder', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    expect(await isPortFree(free)).toBe(true);
    expect(portHolder(free)).toBeUndefined();
  });

  it('a SetupFailure is recognised by name, across copies of the module', () => {
    expect(isSetupFailure(new SetupFailure('x'))).toBe(true);
    expect(isSetupFailure(Object.assign(new Error('x'), { name: 'SetupFailure' }))).toBe(true);
    expect(isSetupFailure(new Error('x'))).toBe(false);
  });
});
