import { Module } from '@nestjs/common';
import { PlatformModule } from '@pedigree/platform';

@Module({
  imports: [PlatformModule.forRoot({ service: 'manufacturer' })],
})
export class ManufacturerModule {}
