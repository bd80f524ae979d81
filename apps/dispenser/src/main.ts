import 'reflect-metadata';
import { bootstrapService } from '@pedigree/platform';
import { DispenserModule } from './app.module';

void bootstrapService('dispenser', DispenserModule);
