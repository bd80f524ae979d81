import { Module } from '@nestjs/common';
import { PartnerModule, ORG_OF_ROLE } from '@pedigree/partner';
import { DEFAULT_PAGE, MAX_PAGE } from '@pedigree/readmodel';
import { PlatformModule } from '@pedigree/platform';

const org = process.env.PEDIGREE_ORG ?? ORG_OF_ROLE.dispenser;

@Module({
  imports: [PlatformModule.forRoot({ service: 'dispenser', org, limits: { defaultPageSize: DEFAULT_PAGE, maxPageSize: MAX_PAGE } }), PartnerModule.forRoot({ role: 'dispenser', org })],
})
export class DispenserModule {}
