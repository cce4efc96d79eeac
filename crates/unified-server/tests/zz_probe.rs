#[allow(unused_imports)]
use unified::hubspot as _;
#[test]
fn probe() {
    println!("ids = {:?}", unified_core::registry::ids());
}
