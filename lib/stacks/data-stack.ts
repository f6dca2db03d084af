import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Accounts } from '../accounts/accounts.ts';
import { Catalog } from '../catalog/catalog.ts';
import { Live } from '../live/live.ts';
import type { SkycastSettings } from '../shared/settings.ts';
import { applicationName } from '../shared/settings.ts';
import { Storage } from '../storage/storage.ts';

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  settings: SkycastSettings;
}

/**
 * The stateful half of Skycast: user pool, catalog table and media buckets. Code deploys change the service
 * stack only, so nothing here is replaced by them; the service stack receives these resources as props.
 */
export class DataStack extends Stack {
  readonly accounts: Accounts;
  readonly catalog: Catalog;
  readonly storage: Storage;
  /** The recording configuration and playback key pair of every channel. */
  readonly live: Live;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.accounts = new Accounts(this, 'Accounts', {
      removalPolicy: settings.removalPolicy,
      deletionProtection: settings.deletionProtection,
      threatProtection: settings.threatProtection,
    });
    this.catalog = new Catalog(this, 'Catalog', {
      removalPolicy: settings.removalPolicy,
      deletionProtection: settings.deletionProtection,
    });
    this.storage = new Storage(this, 'Storage', {
      removalPolicy: settings.removalPolicy,
      accessLogsExpiration: settings.accessLogsExpiration,
    });

    this.live = new Live(this, 'Live', {
      recordingsBucket: this.storage.buckets.recordings,
      application: applicationName(settings.stage),
      removalPolicy: settings.removalPolicy,
    });

    new CfnOutput(this, 'CatalogTableName', { value: this.catalog.table.tableName });
    for (const [role, bucket] of Object.entries(this.storage.buckets)) {
      new CfnOutput(this, `${role.charAt(0).toUpperCase()}${role.slice(1)}BucketName`, {
        value: bucket.bucketName,
      });
    }
  }
}
