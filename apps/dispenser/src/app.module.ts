import { Module } from '@nestjs/common';
import { PartnerModule, ORG_OF_ROLE } from '@pedigree/partner';
import { PlatformModule } from '@pedigree/platform';

const org = process.env.PEDIGREE_ORG ?? ORG_OF_ROLE.dispenser;

@Module({
  imports: [PlatformModule.forRoot({ service: 'dispenser', org }), PartnerModule.forRoot({ role: 'dispenser', org })],
})
export class DispenserModule {}
