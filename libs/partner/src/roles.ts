import type { UserRole } from '@pedigree/platform';

/** Who may do what, in one place. */
export const READERS: UserRole[] = ['admin', 'operator', 'pharmacist', 'planner', 'auditor'];
export const OPERATORS: UserRole[] = ['admin', 'operator'];
export const DISPENSERS: UserRole[] = ['admin', 'pharmacist'];
export const VERIFIERS: UserRole[] = ['admin', 'operator', 'pharmacist'];
/** DSCSA Transaction Information is commercial: not for planners. */
export const TI_READERS: UserRole[] = ['admin', 'operator', 'auditor'];
export const ADMINS: UserRole[] = ['admin'];
