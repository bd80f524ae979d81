import { Module } from '@nestjs/common';
import { PartnerModule, ORG_OF_ROLE } from '@pedigree/partner';
import { DEFAULT_PAGE, MAX_PAGE } from '@pedigree/readmodel';
import { PlatformModule } from '@pedigree/platform';

const org = process.env.PEDIGREE_ORG ?? ORG_OF_ROLE.manufacturer;

@Module({
  imports: [PlatformModule.forRoot({ service: 'manufacturer', org, limits: { defaultPageSize: DEFAULT_PAGE, maxPageSize: MAX_PAGE } }), PartnerModule.forRoot({ role: 'manufacturer', org })],
})
export class ManufacturerModule {}
