use super::*;

#[test]
fn the_embedded_model_loads() {
    let m = Model::from_bytes(model::EMBEDDED_FOR_TESTS);
    assert!(m.is_some_and(|m| m.len() > 1000), "data/names/person.model must parse and hold a trained model");
}
