import * as fs from 'node:fs';
import { DynamicModule, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Type } from '@nestjs/common';
import { certificateHealth, certificateWarnDays, connectFabricLedger, defaultProfilePath, Ledger, ledgerConfigFromProfile, profileCertificateExpiries, readConnectionProfile } from '@pedigree/ledger';
import { EventNotApplied } from '@pedigree/ledger';
import { HealthRegistry, projectedEvents, projectorFailures, projectorPayloadMismatches, projectorStalled } from '@pedigree/platform';
import { openReadModelDatabase, PayloadMismatch, ProjectorStall, ReadModelProjector } from '@pedigree/readmodel';
import { DispenserResolver } from './dispenser.resolver';
import { EpcisController } from './epcis.controller';
import { EpcisExportController } from './epcis-export.controller';
import { ExceptionClockWatch } from './exception-clock';
import { TracingClockWatch } from './tracing-clock';
import { clockPolicyFromEnv } from './exception-clock-policy';
import { ExceptionsResolver } from './exceptions.resolver';
import { InvestigationsResolver } from './investigations.resolver';
import { TracingResolver } from './tracing.resolver';
import { ColdChainResolver } from './cold-chain.resolver';
import { EpcisCaptureController } from './epcis-rest/capture.controller';
import { EpcisCaptureJobs } from './epcis-rest/capture-jobs';
import { EpcisQueryController } from './epcis-rest/query.controller';
import { EpcisSubscriptions } from './epcis-rest/subscriptions';
import { ManufacturerMutationsResolver } from './manufacturer.resolver';
import { PartnerContext } from './partner-context';
import { InboundReceiver } from './inbound';
import { InboundInbox } from './inbound-inbox';
import { PartnerQueriesResolver } from './queries.resolver';
import { PartnerSubscriptionsResolver } from './subscriptions.resolver';
import { PartnerRole } from './tokens';
import { TradeMutationsResolver } from './trade.resolver';
import { VerificationResponderController } from './vrs.controller';
import { VrsRequesterResolver } from './vrs-requester.resolver';

export interface PartnerOptions {
  readonly role: PartnerRole;
  readonly org: string;
  /** Tests may hand in a ledger; services connect with the role's connection profile. */
  readonly ledger?: () => Ledger;
}

/** Which resolvers and routes each role's service has, beyond the shared queries and trade steps. */
const ROLE_RESOLVERS: Record<PartnerRole, Type<unknown>[]> = {
  manufacturer: [ManufacturerMutationsResolver],
  distributor: [VrsRequesterResolver],
  dispenser: [DispenserResolver],
};
const ROLE_CONTROLLERS: Record<PartnerRole, Type<unknown>[]> = {
  manufacturer: [VerificationResponderController],
  distributor: [],
  dispenser: [],
};

const logger = new Logger('partner');

class PartnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private inbox?: InboundInbox;

  constructor(@Inject(PartnerContext) private readonly p: PartnerContext, private readonly health: HealthRegistry) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register({ name: 'database', check: async () => { await this.p.readModel.ping(); return { healthy: true }; } });
    this.health.register({
      name: 'ledger',
      check: async () => {
        try {
          await this.p.ledger.evaluate('GetEvent', ['health-probe'], { contract: 'traceability', timeoutMs: 3000 });
          return { healthy: true };
        } catch (err) {
          // A chaincode answer ("no such event") proves peer and chaincode are up.
          const kind = (err as { kind?: string }).kind;
          return kind === 'chaincode' ? { healthy: true } : { healthy: false, reason: 'LEDGER_UNREACHABLE', detail: (err as Error).message };
        }
      },
    });
    // The profile's certificates (read on each check, so a renewal shows): notAfter of each, a
    // warning inside PEDIGREE_CERT_WARN_DAYS, unhealthy once one has expired.
    const warnDays = certificateWarnDays();
    const profile = defaultProfilePath(this.p.org);
    // (A test that hands in its own ledger may have no profile: nothing to report then.)
    if (fs.existsSync(profile)) {
      this.health.register({ name: 'identities', check: async () => certificateHealth(profileCertificateExpiries(readConnectionProfile(profile), new Date(), warnDays)) });
    }
    this.health.register({ name: 'projector', check: async () => this.p.projector.health(Number(process.env.PEDIGREE_MAX_LAG_BLOCKS ?? 50)) });
    const events = this.p.projector.events;
    events.on('projected', (e: { event: { type: string } }) => projectedEvents.inc({ type: e.event.type }));
    projectorStalled.set(0);
    events.on('failure', (err: unknown) => projectorFailures.inc({ kind: err instanceof EventNotApplied ? 'event-not-applied' : 'stream' }));
    events.on('stalled', (s: ProjectorStall) => {
      projectorStalled.set(1);
      logger.error({ msg: 'projector stalled: event not applied, retrying', ...s });
    });
    events.on('recovered', (e: { blockNumber: string; transactionId: string }) => {
      projectorStalled.set(0);
      logger.warn({ msg: 'projector recovered: stalled event applied', ...e });
    });
    events.on('mismatch', (m: PayloadMismatch) => {
      projectorPayloadMismatches.inc({ field: m.field, action: m.action });
      logger.error({ msg: m.action === 'refused' ? 'event refused: payload actor is not the transaction\'s signer' : 'event payload txId differs from its block', ...m });
    });
    // Catch up in the background: the API answers meanwhile, /health shows the lag.
    await this.p.projector.start();
    // Non-members' EPCIS documents dropped into a folder (an AS2 gateway's output): docs/events.md.
    const dir = process.env['PEDIGREE_INBOUND_DIR'];
    if (dir) {
      const receiver = new InboundReceiver(this.p);
      this.inbox = new InboundInbox(dir, (doc, sha) => receiver.receive(doc, sha));
      this.inbox.start(Number(process.env['PEDIGREE_INBOUND_POLL_MS'] ?? 5000), (o) => logger.log({ msg: `inbound document ${o.outcome}`, ...o }));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.inbox?.stop();
    await this.p.projector.stop();
    this.p.ledger.close();
    await this.p.database.close();
  }
}

/** A trading partner's service: read model, projector, ledger commands and the GraphQL/REST API. */
@Module({})
export class PartnerModule {
  static forRoot(options: PartnerOptions): DynamicModule {
    return {
      module: PartnerModule,
      providers: [
        {
          provide: PartnerContext,
          useFactory: async () => {
            const clockPolicy = clockPolicyFromEnv();
            const database = await openReadModelDatabase(options.role, (line) => logger.debug?.(line));
            const ledger = options.ledger?.() ?? connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(options.org))));
            const projector = new ReadModelProjector(database.dataSource, ledger, 'ledger', (err) => logger.warn({ msg: 'projector reconnecting', error: (err as Error).message }));
            return new PartnerContext(options.role, options.org, ledger, database, projector, clockPolicy);
          },
        },
        PartnerLifecycle,
        EpcisCaptureJobs,
        EpcisSubscriptions,
        PartnerQueriesResolver,
        TradeMutationsResolver,
        { provide: ExceptionClockWatch, useFactory: (p: PartnerContext) => new ExceptionClockWatch(p), inject: [PartnerContext] },
        { provide: TracingClockWatch, useFactory: (p: PartnerContext) => new TracingClockWatch(p.org, p.readModel.tracing), inject: [PartnerContext] },
        ExceptionsResolver,
        InvestigationsResolver,
        TracingResolver,
        ColdChainResolver,
        PartnerSubscriptionsResolver,
        ...ROLE_RESOLVERS[options.role],
      ],
      controllers: [EpcisController, EpcisExportController, EpcisCaptureController, EpcisQueryController, ...ROLE_CONTROLLERS[options.role]],
      exports: [PartnerContext],
    };
  }
}
