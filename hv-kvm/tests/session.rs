//! The bundled test guest on KVM: its whole session, checked from the transcript.

use hv_kvm::{Answer, Config, Record};

#[test]
fn probe() {
    if let Err(e) = hv_kvm::kvm_usable() {
        eprintln!("hv-kvm session test did not run: {e}");
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap();
    let report = hv_kvm::run(
        &Config::default(),
        guest,
        Box::new(Answer(b"hello from the host and more".to_vec())),
    );
    match report {
        Ok(r) => {
            for rec in &r.records {
                match rec {
                    Record::Intercept { message, state } => eprintln!(
                        "intercept {:?} rip {:#x} len {} {:?}",
                        message.header.message_type,
                        state.rip,
                        state.instruction_length,
                        &state.instruction[..4]
                    ),
                    other => eprintln!("{other:?}"),
                }
            }
            eprintln!("{:?}", r.engine);
        }
        Err(e) => panic!("{e}"),
    }
}
