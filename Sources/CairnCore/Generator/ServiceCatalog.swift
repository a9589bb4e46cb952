/// The AWS services and API actions the generator draws from: ~40 services with realistic event
/// sources and names, weighted so activity is read-heavy (Describe/List/Get dominate real trails).
enum ServiceCatalog {
    /// One API action: its name, whether it only reads, its relative frequency, and its category.
    struct Action {
        var name: String
        var readOnly: Bool
        var weight: Double
        /// Data events (S3 objects, Lambda invokes, DynamoDB items) carry resources and
        /// `managementEvent: false`.
        var isDataEvent: Bool = false
    }

    struct Service {
        var source: String
        var weight: Double
        var actions: [Action]
    }

    static func reads(_ names: [String], weight: Double = 1) -> [Action] {
        names.map { Action(name: $0, readOnly: true, weight: weight) }
    }

    static func writes(_ names: [String], weight: Double = 0.2) -> [Action] {
        names.map { Action(name: $0, readOnly: false, weight: weight) }
    }

    static let services: [Service] = [
        Service(
            source: "ec2.amazonaws.com",
            weight: 14,
            actions: reads([
                "DescribeInstances", "DescribeSecurityGroups", "DescribeVolumes", "DescribeSubnets", "DescribeVpcs",
                "DescribeImages", "DescribeNetworkInterfaces", "DescribeInstanceStatus", "DescribeTags",
                "DescribeSnapshots",
            ])
                + writes([
                    "RunInstances", "TerminateInstances", "CreateTags", "AuthorizeSecurityGroupIngress",
                    "StopInstances", "StartInstances", "CreateSnapshot", "ModifyInstanceAttribute",
                ])
        ),
        Service(
            source: "s3.amazonaws.com",
            weight: 16,
            actions: reads([
                "ListBuckets", "GetBucketLocation", "GetBucketAcl", "GetBucketPolicy", "GetBucketVersioning",
                "GetBucketEncryption", "HeadBucket",
            ])
                + writes([
                    "CreateBucket", "PutBucketPolicy", "PutBucketTagging", "DeleteBucket", "PutBucketPublicAccessBlock",
                ])
                + [
                    Action(name: "GetObject", readOnly: true, weight: 6, isDataEvent: true),
                    Action(name: "PutObject", readOnly: false, weight: 2, isDataEvent: true),
                    Action(name: "HeadObject", readOnly: true, weight: 2, isDataEvent: true),
                    Action(name: "DeleteObject", readOnly: false, weight: 0.4, isDataEvent: true),
                    Action(name: "ListObjects", readOnly: true, weight: 1.5, isDataEvent: true),
                ]
        ),
        Service(
            source: "iam.amazonaws.com",
            weight: 6,
            actions: reads([
                "GetUser", "ListRoles", "GetRole", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
                "ListUsers", "ListAccessKeys", "GetAccountSummary",
            ])
                + writes(
                    [
                        "CreateRole", "AttachRolePolicy", "PutRolePolicy", "CreateUser", "CreateAccessKey",
                        "DeleteAccessKey", "UpdateAssumeRolePolicy", "CreateLoginProfile",
                    ],
                    weight: 0.1
                )
        ),
        Service(
            source: "sts.amazonaws.com",
            weight: 9,
            actions: reads(["GetCallerIdentity"], weight: 2) + writes(["AssumeRole"], weight: 3)
                + reads(["GetSessionToken", "AssumeRoleWithWebIdentity", "GetAccessKeyInfo"], weight: 0.4)
        ),
        Service(
            source: "lambda.amazonaws.com",
            weight: 6,
            actions: reads([
                "ListFunctions20150331", "GetFunction20150331v2", "GetFunctionConfiguration20150331v2",
                "ListVersionsByFunction20150331", "GetPolicy20150331v2",
            ])
                + writes([
                    "UpdateFunctionCode20150331v2", "CreateFunction20150331", "AddPermission20150331v2",
                    "UpdateFunctionConfiguration20150331v2",
                ])
                + [Action(name: "Invoke", readOnly: false, weight: 4, isDataEvent: true)]
        ),
        Service(
            source: "dynamodb.amazonaws.com",
            weight: 5,
            actions: reads(["DescribeTable", "ListTables", "DescribeContinuousBackups", "DescribeTimeToLive"])
                + writes(["CreateTable", "UpdateTable", "DeleteTable"], weight: 0.05)
                + [
                    Action(name: "GetItem", readOnly: true, weight: 3, isDataEvent: true),
                    Action(name: "PutItem", readOnly: false, weight: 1.5, isDataEvent: true),
                    Action(name: "Query", readOnly: true, weight: 2, isDataEvent: true),
                ]
        ),
        Service(
            source: "kms.amazonaws.com",
            weight: 7,
            actions: reads(["Decrypt"], weight: 4)
                + reads(["GenerateDataKey", "DescribeKey", "ListAliases", "GetKeyPolicy", "ListKeys"])
                + writes(["Encrypt", "CreateKey", "ScheduleKeyDeletion", "CreateGrant"])
        ),
        Service(
            source: "ssm.amazonaws.com",
            weight: 4,
            actions: reads([
                "GetParameter", "GetParameters", "DescribeInstanceInformation", "ListCommands", "GetParametersByPath",
                "DescribeParameters",
            ]) + writes(["PutParameter", "SendCommand", "StartSession", "UpdateInstanceInformation"])
        ),
        Service(
            source: "secretsmanager.amazonaws.com",
            weight: 3,
            actions: reads(["GetSecretValue"], weight: 3) + reads(["DescribeSecret", "ListSecrets"])
                + writes(["CreateSecret", "PutSecretValue", "RotateSecret", "DeleteSecret"])
        ),
        Service(
            source: "cloudtrail.amazonaws.com",
            weight: 2,
            actions: reads(["DescribeTrails", "GetTrailStatus", "LookupEvents", "GetEventSelectors", "ListTrails"])
                + writes(
                    ["CreateTrail", "StopLogging", "StartLogging", "DeleteTrail", "PutEventSelectors"],
                    weight: 0.03
                )
        ),
        Service(
            source: "logs.amazonaws.com",
            weight: 4,
            actions: reads(["DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents", "GetLogEvents"])
                + writes(["CreateLogStream", "PutRetentionPolicy", "CreateLogGroup", "DeleteLogGroup"])
        ),
        Service(
            source: "monitoring.amazonaws.com",
            weight: 4,
            actions: reads(["DescribeAlarms", "GetMetricData", "ListMetrics", "GetMetricStatistics"])
                + writes(["PutMetricAlarm", "DeleteAlarms", "PutDashboard"])
        ),
        Service(
            source: "rds.amazonaws.com",
            weight: 3,
            actions: reads([
                "DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "DescribeDBParameterGroups",
                "ListTagsForResource",
            ])
                + writes([
                    "CreateDBSnapshot", "ModifyDBInstance", "RebootDBInstance", "CreateDBInstance", "DeleteDBInstance",
                ])
        ),
        Service(
            source: "elasticloadbalancing.amazonaws.com",
            weight: 2,
            actions: reads([
                "DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetHealth", "DescribeListeners",
            ]) + writes(["RegisterTargets", "DeregisterTargets", "CreateLoadBalancer"])
        ),
        Service(
            source: "autoscaling.amazonaws.com",
            weight: 2,
            actions: reads(["DescribeAutoScalingGroups", "DescribeScalingActivities", "DescribeLaunchConfigurations"])
                + writes(["UpdateAutoScalingGroup", "SetDesiredCapacity", "CreateAutoScalingGroup"])
        ),
        Service(
            source: "ecs.amazonaws.com",
            weight: 3,
            actions: reads([
                "DescribeServices", "DescribeTasks", "ListTasks", "DescribeClusters", "ListServices",
                "DescribeTaskDefinition",
            ]) + writes(["RunTask", "UpdateService", "RegisterTaskDefinition", "StopTask"])
        ),
        Service(
            source: "eks.amazonaws.com",
            weight: 1.5,
            actions: reads(["DescribeCluster", "ListClusters", "ListNodegroups", "DescribeNodegroup"])
                + writes(["CreateNodegroup", "UpdateClusterConfig"])
        ),
        Service(
            source: "ecr.amazonaws.com",
            weight: 2,
            actions: reads([
                "GetAuthorizationToken", "BatchGetImage", "DescribeRepositories", "DescribeImages",
                "GetDownloadUrlForLayer",
            ]) + writes(["PutImage", "CreateRepository", "BatchDeleteImage"])
        ),
        Service(
            source: "cloudformation.amazonaws.com",
            weight: 2,
            actions: reads([
                "DescribeStacks", "ListStacks", "DescribeStackEvents", "GetTemplate", "DescribeStackResources",
            ]) + writes(["CreateStack", "UpdateStack", "DeleteStack", "CreateChangeSet"])
        ),
        Service(
            source: "sns.amazonaws.com",
            weight: 1.5,
            actions: reads(["ListTopics", "GetTopicAttributes", "ListSubscriptions"])
                + writes(["Publish", "CreateTopic", "Subscribe"])
        ),
        Service(
            source: "sqs.amazonaws.com",
            weight: 1.5,
            actions: reads(["ListQueues", "GetQueueAttributes", "GetQueueUrl"])
                + writes(["CreateQueue", "SetQueueAttributes", "PurgeQueue"])
        ),
        Service(
            source: "route53.amazonaws.com",
            weight: 1,
            actions: reads(["ListHostedZones", "ListResourceRecordSets", "GetHostedZone", "GetChange"])
                + writes(["ChangeResourceRecordSets", "CreateHostedZone"])
        ),
        Service(
            source: "signin.amazonaws.com",
            weight: 0.8,
            actions: writes(["ConsoleLogin"], weight: 1) + writes(["CheckMfa", "SwitchRole"], weight: 0.3)
        ),
        Service(
            source: "config.amazonaws.com",
            weight: 1.5,
            actions: reads([
                "DescribeConfigRules", "DescribeConfigurationRecorders", "GetComplianceDetailsByConfigRule",
                "DescribeComplianceByConfigRule",
            ]) + writes(["PutEvaluations", "PutConfigRule", "StartConfigRulesEvaluation"])
        ),
        Service(
            source: "guardduty.amazonaws.com",
            weight: 1,
            actions: reads(["ListDetectors", "GetDetector", "ListFindings", "GetFindings"])
                + writes(["ArchiveFindings", "CreateDetector", "UpdateDetector"])
        ),
        Service(
            source: "securityhub.amazonaws.com",
            weight: 1,
            actions: reads(["GetFindings", "DescribeHub", "GetEnabledStandards"])
                + writes(["BatchImportFindings", "BatchUpdateFindings"])
        ),
        Service(
            source: "organizations.amazonaws.com",
            weight: 0.6,
            actions: reads(["DescribeOrganization", "ListAccounts", "ListPolicies", "DescribeAccount"])
                + writes(["CreateAccount", "AttachPolicy", "LeaveOrganization"], weight: 0.02)
        ),
        Service(
            source: "sso.amazonaws.com",
            weight: 0.8,
            actions: reads(["ListPermissionSets", "DescribePermissionSet", "ListAccountAssignments"])
                + writes(["CreateAccountAssignment", "ProvisionPermissionSet"])
        ),
        Service(
            source: "elasticfilesystem.amazonaws.com",
            weight: 0.7,
            actions: reads(["DescribeFileSystems", "DescribeMountTargets"])
                + writes(["CreateFileSystem", "CreateMountTarget"])
        ),
        Service(
            source: "kinesis.amazonaws.com",
            weight: 0.8,
            actions: reads(["DescribeStream", "ListStreams", "DescribeStreamSummary"])
                + writes(["CreateStream", "IncreaseStreamRetentionPeriod"])
        ),
        Service(
            source: "firehose.amazonaws.com",
            weight: 0.5,
            actions: reads(["DescribeDeliveryStream", "ListDeliveryStreams"])
                + writes(["CreateDeliveryStream", "UpdateDestination"])
        ),
        Service(
            source: "events.amazonaws.com",
            weight: 1.2,
            actions: reads(["DescribeRule", "ListRules", "ListTargetsByRule"])
                + writes(["PutRule", "PutTargets", "PutEvents"])
        ),
        Service(
            source: "states.amazonaws.com",
            weight: 0.8,
            actions: reads(["DescribeExecution", "ListExecutions", "DescribeStateMachine"])
                + writes(["StartExecution", "CreateStateMachine"])
        ),
        Service(
            source: "apigateway.amazonaws.com",
            weight: 1,
            actions: reads(["GetRestApis", "GetStages", "GetResources", "GetDeployments"])
                + writes(["CreateDeployment", "UpdateStage"])
        ),
        Service(
            source: "cloudfront.amazonaws.com",
            weight: 0.7,
            actions: reads(["ListDistributions", "GetDistribution", "GetDistributionConfig"])
                + writes(["CreateInvalidation", "UpdateDistribution"])
        ),
        Service(
            source: "acm.amazonaws.com",
            weight: 0.5,
            actions: reads(["ListCertificates", "DescribeCertificate"])
                + writes(["RequestCertificate", "DeleteCertificate"])
        ),
        Service(
            source: "glue.amazonaws.com",
            weight: 1,
            actions: reads(["GetDatabases", "GetTables", "GetTable", "GetPartitions", "GetJobRuns"])
                + writes(["StartJobRun", "CreateTable", "BatchCreatePartition"])
        ),
        Service(
            source: "athena.amazonaws.com",
            weight: 1,
            actions: reads(["GetQueryExecution", "GetQueryResults", "ListWorkGroups"])
                + writes(["StartQueryExecution", "StopQueryExecution"])
        ),
        Service(
            source: "bedrock.amazonaws.com",
            weight: 0.6,
            actions: reads(["ListFoundationModels", "GetFoundationModel"]) + writes(["InvokeModel"], weight: 1)
                + writes(["CreateModelCustomizationJob"], weight: 0.05)
        ),
        Service(
            source: "health.amazonaws.com",
            weight: 0.8,
            actions: reads(["DescribeEvents", "DescribeEventAggregates", "DescribeEventDetails"])
        ),
        Service(
            source: "tagging.amazonaws.com",
            weight: 0.6,
            actions: reads(["GetResources", "GetTagKeys"]) + writes(["TagResources"])
        ),
        Service(
            source: "servicequotas.amazonaws.com",
            weight: 0.3,
            actions: reads(["ListServiceQuotas", "GetServiceQuota"])
                + writes(["RequestServiceQuotaIncrease"], weight: 0.05)
        ),
    ]
}
