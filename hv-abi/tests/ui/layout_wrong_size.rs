use hv_abi::Layout;

#[derive(Layout)]
#[hv(tlfs = "HV_EXAMPLE", size = 12)]
#[repr(C)]
struct Example {
    #[hv(offset = 0)]
    base: u64,
    #[hv(offset = 8)]
    limit: u64,
}

fn main() {}
