use super::*;

const ID: &str = "6f1e2d3c-4b5a-4d3b-9a5c-1b4e28ba2fa1";

fn parse(q: &[(&str, &str)]) -> Result<TokenQuery, String> {
    TokenQuery::parse(q.iter().copied())
}

#[test]
fn defaults_are_newest_first_fifty() {
    assert_eq!(parse(&[]).unwrap(), TokenQuery::default());
}

#[test]
fn the_page_address_round_trips_and_bad_values_fall_back_to_the_defaults() {
    let owner = UserId::parse("1b4e28ba-2fa1-4d3b-9a5c-6f1e2d3c4b5a").unwrap();
    let query = TokenQuery {
        status: Some(StatusFilter::Is(TokenStatus::Revoked)),
        q: Some("edge fleet & co".into()),
        owner: Some(owner),
        sort: SortKey::Name,
        order: Order::Asc,
        ..TokenQuery::default()
    };
    let address = query.to_address();
    assert_eq!(
        address,
        "?status=revoked&q=edge%20fleet%20%26%20co&owner=1b4e28ba-2fa1-4d3b-9a5c-6f1e2d3c4b5a&sort=name&order=asc"
    );
    assert_eq!(TokenQuery::from_address(&address), query);
    assert_eq!(TokenQuery::default().to_address(), "");
    assert_eq!(TokenQuery::from_address(""), TokenQuery::default());
    let odd =
        TokenQuery::from_address("?status=lost&sort=size&order=up&owner=me&limit=9&page=2&q=");
    assert_eq!(odd, TokenQuery::default(), "every bad value is the default");
    let partly = TokenQuery::from_address("?status=expired&sort=nope&q=+a+");
    assert_eq!(
        (partly.status, partly.sort, partly.q.as_deref()),
        (
            Some(StatusFilter::Is(TokenStatus::Expired)),
            SortKey::CreatedAt,
            Some("a")
        )
    );
    assert_eq!(SortKey::Name.natural_order(), Order::Asc);
    assert_eq!(SortKey::LastUsedAt.natural_order(), Order::Desc);
}

#[test]
fn parses_every_parameter() {
    let q = parse(&[
        ("status", "expired"),
        ("q", " Prod "),
        ("owner", ID),
        ("sort", "name"),
        ("order", "asc"),
        ("limit", "200"),
    ])
    .unwrap();
    assert_eq!(q.status, Some(StatusFilter::Is(TokenStatus::Expired)));
    assert_eq!(q.q.as_deref(), Some("Prod"));
    assert_eq!(q.owner.unwrap().to_string(), ID);
    assert_eq!((q.sort, q.order, q.limit), (SortKey::Name, Order::Asc, 200));
    assert_eq!(parse(&[("q", "   ")]).unwrap().q, None);
}

#[test]
fn refuses_what_it_does_not_understand() {
    for bad in [
        vec![("status", "Active")],
        vec![("sort", "created_at")],
        vec![("order", "up")],
        vec![("limit", "0")],
        vec![("limit", "201")],
        vec![("limit", "1e2")],
        vec![("owner", "me")],
        vec![("colour", "blue")],
        vec![("limit", "5"), ("limit", "6")],
        vec![("cursor", "garbage")],
    ] {
        assert!(parse(&bad).is_err(), "{bad:?}");
    }
    assert!(parse(&[("q", &"x".repeat(256))]).is_err());
}

#[test]
fn a_query_reads_back_from_its_own_pairs() {
    let cursor = encode_cursor(
        SortKey::Name,
        Order::Asc,
        &CursorKey::Text("edge ☃".into()),
        ID,
    );
    let full = parse(&[
        ("status", "revoked"),
        ("q", "prod"),
        ("owner", ID),
        ("sort", "name"),
        ("order", "asc"),
        ("limit", "20"),
        ("cursor", &cursor),
    ])
    .unwrap();
    for query in [TokenQuery::default(), full] {
        let pairs = query.to_query_pairs();
        let read = TokenQuery::parse(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(read.as_ref(), Ok(&query), "{pairs:?}");
    }
    let pairs = TokenQuery::default().to_query_pairs();
    assert_eq!(
        pairs,
        [("limit", "50"), ("sort", "createdAt"), ("order", "desc")].map(|(k, v)| (k, v.to_owned()))
    );
    let page_two = Cursor::parse(&cursor, SortKey::Name, Order::Asc).unwrap();
    assert_eq!(page_two.key, CursorKey::Text("edge ☃".into()));
    assert_eq!(Cursor::parse(&cursor, SortKey::Name, Order::Desc), None);
    assert_eq!(
        parse_status("expired"),
        Some(StatusFilter::Is(TokenStatus::Expired))
    );
    assert_eq!(parse_status("expiring"), Some(StatusFilter::ExpiringSoon));
    assert_eq!(
        StatusFilter::all()
            .filter_map(|f| parse_status(f.as_str()))
            .count(),
        5
    );
    assert_eq!((parse_status(""), Order::parse("up")), (None, None));
}

#[test]
fn cursors_round_trip_and_are_bound_to_their_sort_order() {
    let text = encode_cursor(
        SortKey::Name,
        Order::Asc,
        &CursorKey::Text("Zürich.prod ☃".into()),
        ID,
    );
    let q = parse(&[("sort", "name"), ("order", "asc"), ("cursor", &text)]).unwrap();
    assert_eq!(
        q.cursor.unwrap().key,
        CursorKey::Text("Zürich.prod ☃".into())
    );

    let number = encode_cursor(SortKey::CreatedAt, Order::Desc, &CursorKey::Number(-1), ID);
    let q = parse(&[("cursor", &number)]).unwrap();
    assert_eq!(
        q.cursor.unwrap(),
        Cursor {
            key: CursorKey::Number(-1),
            id: TokenId::parse(ID).unwrap()
        }
    );

    assert!(
        parse(&[("sort", "name"), ("cursor", &number)]).is_err(),
        "another sort"
    );
    assert!(
        parse(&[("order", "asc"), ("cursor", &number)]).is_err(),
        "another order"
    );
    let wrong_kind = encode_cursor(
        SortKey::CreatedAt,
        Order::Desc,
        &CursorKey::Text("x".into()),
        ID,
    );
    assert!(parse(&[("cursor", &wrong_kind)]).is_err());
    assert!(parse(&[("cursor", &format!("{number}.extra"))]).is_err());
}
