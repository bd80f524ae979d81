// bwip-js types its node entry only through package.json "exports", which this repo's
// moduleResolution ("node") does not read: declare the one function the tests use.
declare module 'bwip-js/node' {
  export function toBuffer(options: Record<string, unknown>): Promise<Buffer>;
}
