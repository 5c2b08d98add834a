//! Debugging aid: prints the table encoding's data and one request's flat input.
//! `rvm_probe templated|random RULES REQUEST`
use smpolicy_benches::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[2].parse().unwrap();
    let i: usize = args[3].parse().unwrap();
    if args[1] == "random" {
        println!("{}", table::data_json(&random::table_rules(&random::rules(n, 7))));
        println!("{}", random::flat_input(&random::requests(10_000, 4242)[i]));
    } else {
        println!("{}", table::data_json(&templated_table(&rules(n))));
        println!("{}", templated_flat_input(&requests(10_000, 42)[i]));
    }
}
