import CairnQuery
import CairnStorage
import CairnTestSupport
import Testing

/// The newer userIdentity fields (issue #10): `onBehalfOf` (IAM Identity Center), `credentialId`
/// (bearer-token callers) and `inScopeOf` (credentials scoped to a resource), as Lake exposes
/// them, by path and inside the whole `useridentity` struct.
@Suite struct UserIdentityFieldTests {
    static let record =
        #"{"eventVersion":"1.10","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"nf-1","userIdentity":{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"u-123","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-1"},"credentialId":"cred-9","inScopeOf":{"sourceArn":"arn:aws:lambda:us-east-1:111122223333:function:f","sourceAccount":"111122223333","issuerType":"AWS::Lambda::Function","credentialsIssuedTo":"arn:aws:sts::111122223333:assumed-role/r/f"}}}"#

    @Test func newerFieldsAreColumnsOfUserIdentity() throws {
        let imported = try ImportedStore(lines: [Self.record])
        defer { imported.close() }
        let engine = imported.engine
        let result = try engine.execute(
            "SELECT useridentity.onbehalfof.userid, useridentity.onbehalfof.identitystorearn, useridentity.credentialid, "
                + "useridentity.inscopeof.issuertype, useridentity.inscopeof.credentialsissuedto FROM default "
                + "WHERE useridentity.credentialid = 'cred-9'"
        )
        #expect(
            result.rows == [
                [
                    .string("u-123"), .string("arn:aws:identitystore::111122223333:identitystore/d-1"),
                    .string("cred-9"),
                    .string("AWS::Lambda::Function"), .string("arn:aws:sts::111122223333:assumed-role/r/f"),
                ]
            ]
        )
        let whole = try engine.execute("SELECT useridentity FROM default")
        guard case .row(let identity)? = whole.rows.first?.first else {
            Issue.record("useridentity is \(String(describing: whole.rows.first))")
            return
        }
        #expect(Array(identity.names.suffix(3)) == ["credentialid", "onbehalfof", "inscopeof"])
        #expect(identity.values[9] == .string("cred-9"))
    }
}
