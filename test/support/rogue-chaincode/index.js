'use strict';
// A modified chaincode, as a dishonest member would run on its own peer: everything the honest
// chaincode does, plus raw writes that skip every rule. Plain JS so that it needs no build step.
const path = require('node:path');
const { Contract } = require('fabric-contract-api');
const honest = require(path.join(__dirname, '../../../dist/chaincode/src/index.js'));

class RogueContract extends Contract {
  constructor() {
    super('rogue');
  }

  /** Overwrites a composite key with any JSON and emits an event a read model would project. */
  async Rewrite(ctx, type, partsJson, valueJson, eventName, eventJson) {
    await ctx.stub.putState(ctx.stub.createCompositeKey(type, JSON.parse(partsJson)), Buffer.from(valueJson));
    ctx.stub.setEvent(eventName, Buffer.from(eventJson));
    return 'rewritten';
  }

  /** Deletes a composite key (e.g. a lot's recall) and emits an event a read model would project. */
  async Erase(ctx, type, partsJson, eventName, eventJson) {
    await ctx.stub.deleteState(ctx.stub.createCompositeKey(type, JSON.parse(partsJson)));
    ctx.stub.setEvent(eventName, Buffer.from(eventJson));
    return 'erased';
  }
}

module.exports.contracts = [...honest.contracts, RogueContract];
