export { EpcisXmlReader, readEpcisXml, xmlHashOptions } from './reader';
export type { EpcisXmlReadOptions, EpcisXmlReadResult, XmlLocation, XmlOmission } from './reader';
export { epcisXmlChunks, writeEpcisXml, escapeXml, EPCIS_QUERY_NS } from './writer';
export type { EpcisXmlWriteOptions } from './writer';
export { EPCIS_NS, SBDH_NS, GS1USHC_NS, CBVMDA_NS, type EpcisXmlVersion } from './xml-model';
export { dscsaHeaderOf, type DscsaHeader } from './dscsa-header';
export { readAndValidateEpcisXml, type ValidatedEpcisXml, type XmlValidationIssue } from './capture';
