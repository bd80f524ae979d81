import { validateEpcisDocument, type ValidateOptions, type ValidationIssue } from '../validate';
import { readEpcisXml, type EpcisXmlReadResult } from './reader';

/** A validation issue of an XML-sourced document, located at the event element it concerns. */
export interface XmlValidationIssue extends ValidationIssue {
  readonly line?: number;
  readonly column?: number;
  /** Element path of the event, e.g. `/EPCISDocument/EPCISBody/EventList/ObjectEvent[3]`. */
  readonly element?: string;
}

export interface ValidatedEpcisXml {
  readonly read: EpcisXmlReadResult;
  readonly issues: readonly XmlValidationIssue[];
}

/**
 * What EPCIS capture runs on an XML body: read it (throws EPCIS_XML_INVALID with line/column for
 * XML that is not well-formed or not EPCIS), then validate the EPCIS 2.0 form it converts to,
 * reporting each issue with both its JSON path and the XML event element it came from.
 */
export function readAndValidateEpcisXml(xml: string, options: ValidateOptions = {}): ValidatedEpcisXml {
  const read = readEpcisXml(xml);
  const issues = validateEpcisDocument(read.document, options).map((issue): XmlValidationIssue => {
    const m = /^epcisBody\.eventList\[(\d+)\]/.exec(issue.path);
    const at = m ? read.locations[Number(m[1])] : undefined;
    return at ? { ...issue, line: at.line, column: at.column, element: at.path } : issue;
  });
  return { read, issues };
}
