import { RemovalPolicy } from 'aws-cdk-lib';
import { type Attribute, AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { catalogTable, type KeyAttribute, type TableDefinition } from '#contract/resources.ts';

/** Props of {@link Catalog}. */
export interface CatalogProps {
  /** @default catalogTable from lambdas/contract/resources.ts */
  definition?: TableDefinition;
  /** @default RemovalPolicy.RETAIN — the catalog is the record of every profile, video and clip. */
  removalPolicy?: RemovalPolicy;
  /** Refuse to delete the table even when CloudFormation asks. @default true */
  deletionProtection?: boolean;
}

const attribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The catalog: one DynamoDB table for profiles, streams, videos, clips and views, built from its definition
 * in `lambdas/contract/resources.ts` (keys, indexes, TTL) so it matches the table the local platform creates.
 * On-demand capacity, point-in-time recovery, encrypted with the AWS managed key.
 */
export class Catalog extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: CatalogProps = {}) {
    super(scope, id);
    const definition = props.definition ?? catalogTable;

    this.table = new Table(this, 'Table', {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of definition.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      });
    }
  }
}
