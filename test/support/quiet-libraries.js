// fabric-contract-api logs every @Transaction and @Returns it registers at info, through its own
// winston console transport, which no Jest console setting reaches: thousands of lines a run. Its
// level comes from CORE_CHAINCODE_LOGGING_LEVEL, read when a contract is loaded; this runs first in
// every test file. PEDIGREE_LOG_LEVEL=info (or debug) brings them back.
process.env.CORE_CHAINCODE_LOGGING_LEVEL = process.env.PEDIGREE_LOG_LEVEL ?? process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'warning';
