//! Subjects and identity resolution through the blind index.

use candor_domain::{Identifier, IdentifierKind};
use candor_service::subjects::NewSubjectInput;
use candor_service::ServiceError;
use candor_store::{AuditStore as _, SubjectStore as _};
use candor_test_support::{each_backend, Fixture, TestDb};

#[tokio::test]
async fn the_same_identifier_typed_differently_finds_the_same_subject() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let input = NewSubjectInput {
            email: Some("Jo.Smith@Example.com".into()),
            handles: vec!["x:@JoSmith".into(), "instagram:jo.smith".into()],
            phone: Some("+44 20 7946 0958".into()),
            customer_number: Some("c-1001".into()),
            ..Default::default()
        };
        let id = f.candor.add_subject("test", &input).await.unwrap();
        for ident in [
            Identifier::email(" jo.smith@example.COM").unwrap(),
            Identifier::parse_handle("X:josmith").unwrap(),
            Identifier::parse_handle("instagram:@JO.SMITH").unwrap(),
            Identifier::phone("0044 20 7946 0958").unwrap(),
            Identifier::customer_number("C-1001").unwrap(),
        ] {
            assert_eq!(f.candor.find_subject(&ident).await.unwrap(), Some(id), "{:?}", ident.kind());
        }
        // The same handle on another platform is another person.
        assert_eq!(f.candor.find_subject(&Identifier::parse_handle("tiktok:josmith").unwrap()).await.unwrap(), None);
        let s = f.candor.subject_summary(id).await.unwrap();
        assert_eq!(s.identifiers.len(), 5);
        assert_eq!(s.pseudonym, f.keys.pseudonym(id.as_uuid()));
    })
    .await;
}

#[tokio::test]
async fn an_identifier_of_another_subject_is_refused_and_names_them() {
    let f = Fixture::new(TestDb::sqlite()).await;
    let first = f.candor.add_subject("test", &NewSubjectInput { email: Some("a@example.com".into()), ..Default::default() }).await.unwrap();
    let err = f
        .candor
        .add_subject(
            "test",
            &NewSubjectInput {
                email: Some("b@example.com".into()),
                handles: vec![],
                phone: None,
                customer_number: None,
                accounts: vec![],
                name: None,
            },
        )
        .await;
    assert!(err.is_ok());
    let err =
        f.candor.add_subject("test", &NewSubjectInput { email: Some("A@EXAMPLE.COM".into()), ..Default::default() }).await.unwrap_err();
    assert!(matches!(err, ServiceError::IdentityTaken { kind: IdentifierKind::Email, subject } if subject == first), "{err}");
    assert_eq!(f.store.subject_count().await.unwrap(), 2, "nothing half-created");
}

#[tokio::test]
async fn malformed_identifiers_name_the_field_and_keep_the_value_out_of_the_message() {
    let f = Fixture::new(TestDb::sqlite()).await;
    let cases = [
        (NewSubjectInput { email: Some("not-an-address".into()), ..Default::default() }, "--email"),
        (NewSubjectInput { handles: vec!["no-platform".into()], ..Default::default() }, "--handle"),
        (NewSubjectInput { phone: Some("call me maybe".into()), ..Default::default() }, "--phone"),
    ];
    for (input, field) in cases {
        let err = f.candor.add_subject("test", &input).await.unwrap_err().to_string();
        assert!(err.contains(field), "{err}");
        assert!(!err.contains("not-an-address") && !err.contains("call me maybe"), "{err}");
    }
    let err = f.candor.add_subject("test", &NewSubjectInput { name: Some("Nobody".into()), ..Default::default() }).await.unwrap_err();
    assert!(matches!(err, ServiceError::NoIdentifier));
    assert_eq!(f.store.subject_count().await.unwrap(), 0);
}

#[tokio::test]
async fn staff_unlink_only_what_is_the_customers_and_never_their_last_identifier() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        let phone = || NewSubjectInput { phone: Some("+44 7700 900123".into()), ..Default::default() };
        let jonas = f.candor.add_subject("staff", &NewSubjectInput { email: Some("jonas@example.com".into()), ..phone() }).await.unwrap();
        let vera =
            f.candor.add_subject("staff", &NewSubjectInput { email: Some("vera@example.com".into()), ..Default::default() }).await.unwrap();
        // Not hers to give away.
        let err = f.candor.unlink_identities("staff", vera, &phone()).await.unwrap_err();
        assert!(err.to_string().contains("not linked"), "{err}");
        // Moved deliberately: unlinked from one, linked to the other.
        assert_eq!(f.candor.unlink_identities("staff", jonas, &phone()).await.unwrap(), 1);
        assert_eq!(f.candor.link_identities("staff", vera, &phone()).await.unwrap(), 1);
        assert_eq!(f.candor.find_subject(&Identifier::phone("+447700900123").unwrap()).await.unwrap(), Some(vera));
        // A customer keeps at least one identifier.
        let last = NewSubjectInput { email: Some("jonas@example.com".into()), ..Default::default() };
        let err = f.candor.unlink_identities("staff", jonas, &last).await.unwrap_err();
        assert!(err.to_string().contains("at least one identifier"), "{err}");
        let entries = f.store.audit_entries(0, 100).await.unwrap();
        let unlink = entries.iter().find(|e| e.record.action == "subject.unlink").expect("the unlink is audited");
        let body = serde_json::to_string(&unlink.record.detail).unwrap();
        assert!(body.contains("phone") && !body.contains("7700"), "kinds only: {body}");
    })
    .await;
}
