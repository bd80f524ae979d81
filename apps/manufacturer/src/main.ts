import 'reflect-metadata';
import { bootstrapService } from '@pedigree/platform';
import { ManufacturerModule } from './app.module';

void bootstrapService('manufacturer', ManufacturerModule);
