//! Show how the name model tags each word of a text:
//! `cargo run --release -p candor-privacy --example explain_person -- "some text"`.

fn main() {
    for text in std::env::args().skip(1) {
        for (word, flags, tag, s) in candor_privacy::pii::person_training::explain(&text) {
            println!("{word:20} flags {flags:#06x} tag {} O {:7.2} B {:7.2} I {:7.2}", ["O", "B", "I"][tag], s[0], s[1], s[2]);
        }
        println!();
    }
}
