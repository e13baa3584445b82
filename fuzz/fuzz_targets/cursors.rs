//! Keyset cursors come back from clients as any text: decoding never panics, whatever
//! decodes re-encodes to the same position, and every position the service can write
//! decodes back to itself.
#![no_main]

use chrono::DateTime;
use hangar_parse::cursor::{SearchCursor, decode_list, encode_list};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

fuzz_target!(|input: (&str, i64, u32, [u8; 16], Option<f64>, String)| {
    let (text, micros, nanos, id, key, mut sort) = input;
    // The API's sorts are short names (`price_asc`); a long one would only hit the length cap.
    while sort.len() > 16 {
        sort.pop();
    }
    let id = Uuid::from_bytes(id);

    // Lists: text from a client.
    if let Some((at, row)) = decode_list(text) {
        assert_eq!(
            decode_list(&encode_list(at, row)),
            Some((at, row)),
            "{text:?}"
        );
    }
    // Lists: every row the service may write a cursor for.
    if let Some(at) = DateTime::from_timestamp_micros(micros) {
        assert_eq!(decode_list(&encode_list(at, id)), Some((at, id)));
    }

    // Search (the sort as a free string, standing for the API's enum): text from a client…
    if let Some(c) = SearchCursor::<String>::decode(text, &sort) {
        assert_eq!(
            SearchCursor::decode(&c.encode(), &c.s),
            Some(c.clone()),
            "{text:?}"
        );
    }
    // …and every position the service may write (finite keys: ranks, prices, distances).
    let cursor = SearchCursor {
        s: sort.clone(),
        k: key.filter(|k| k.is_finite()),
        t: DateTime::from_timestamp(micros / 1_000_000, nanos % 1_000_000_000),
        id,
    };
    assert_eq!(
        SearchCursor::decode(&cursor.encode(), &sort),
        Some(cursor.clone()),
        "{cursor:?}"
    );
});
