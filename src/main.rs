fn main() {
    println!("ostdoctor: not yet");
}
