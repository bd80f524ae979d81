import { candidateSteps, type DscsaStep } from '../epcis/dscsa-profile';
import type { CaptureTransaction } from './commands';

/**
 * Which chaincode command records an incoming EPCIS event of each DSCSA step. The event's shape
 * (type, action, bizStep) is the DSCSA profile's (DSCSA_STEPS), the same table the event builders
 * and the validator use, so capture and export cannot disagree on what a step looks like. Steps
 * not listed are not captured as commands (shipping carries private TI: the ship mutation).
 */
export const CAPTURE_TRANSACTION_OF_STEP: Readonly<Partial<Record<DscsaStep, CaptureTransaction>>> = {
  commission: 'Commission',
  pack: 'Pack',
  unpack: 'Unpack',
  receive: 'Receive',
  returnReceive: 'Receive',
  dispense: 'Dispense',
  decommission: 'Decommission',
  destroy: 'Destroy',
};

/** The step an event is an instance of and the command that records it, if it is captured. */
export function captureStepOf(eventType: string, action: string | undefined, bizStep: string | undefined): { step: DscsaStep; transaction: CaptureTransaction } | undefined {
  for (const profile of candidateSteps(eventType, bizStep)) {
    const transaction = CAPTURE_TRANSACTION_OF_STEP[profile.step];
    if (transaction && profile.action === action) return { step: profile.step, transaction };
  }
  return undefined;
}
