//! Classic BPF as seccomp runs it: the instruction, the opcodes the compiler uses, a
//! checker of what the kernel accepts, and an interpreter. The checker and the
//! interpreter are for the tests: they evaluate every generated program for every
//! call number.

/// One instruction, laid out as the kernel's `struct sock_filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

// Instruction classes and fields (linux/filter.h, linux/bpf_common.h).
pub const LD: u16 = 0x00;
pub const LDX: u16 = 0x01;
pub const ST: u16 = 0x02;
pub const STX: u16 = 0x03;
pub const ALU: u16 = 0x04;
pub const JMP: u16 = 0x05;
pub const RET: u16 = 0x06;
pub const MISC: u16 = 0x07;
pub const W: u16 = 0x00;
pub const ABS: u16 = 0x20;
pub const IMM: u16 = 0x00;
pub const MEM: u16 = 0x60;
pub const LEN: u16 = 0x80;
pub const ADD: u16 = 0x00;
pub const SUB: u16 = 0x10;
pub const MUL: u16 = 0x20;
pub const DIV: u16 = 0x30;
pub const OR: u16 = 0x40;
pub const AND: u16 = 0x50;
pub const LSH: u16 = 0x60;
pub const RSH: u16 = 0x70;
pub const NEG: u16 = 0x80;
pub const MOD: u16 = 0x90;
pub const XOR: u16 = 0xa0;
pub const JA: u16 = 0x00;
pub const JEQ: u16 = 0x10;
pub const JGT: u16 = 0x20;
pub const JGE: u16 = 0x30;
pub const JSET: u16 = 0x40;
pub const K: u16 = 0x00;
pub const X: u16 = 0x08;
pub const A: u16 = 0x10;
pub const TAX: u16 = 0x00;
pub const TXA: u16 = 0x80;

/// The kernel's limit on a program's length (`BPF_MAXINSNS`).
pub const MAX_INSNS: usize = 4096;
/// `sizeof(struct seccomp_data)`.
pub const DATA_LEN: u32 = 64;
/// Scratch memory words (`BPF_MEMWORDS`).
const MEMWORDS: u32 = 16;

/// Offsets in `struct seccomp_data`: `nr`, `arch`, and the low half of `args[i]`
/// (little-endian).
pub const NR: u32 = 0;
pub const ARCH: u32 = 4;
pub const fn arg_low(i: u32) -> u32 {
    16 + 8 * i
}

impl Insn {
    pub const fn stmt(code: u16, k: u32) -> Insn {
        Insn {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn { code, jt, jf, k }
    }

    /// `A = seccomp_data[offset]`.
    pub const fn load(offset: u32) -> Insn {
        Insn::stmt(LD | W | ABS, offset)
    }

    pub const fn ret(k: u32) -> Insn {
        Insn::stmt(RET | K, k)
    }
}

/// What `struct seccomp_data` holds for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Data {
    pub nr: u32,
    pub arch: u32,
    pub ip: u64,
    pub args: [u64; 6],
}

impl Data {
    fn word(&self, offset: u32) -> u32 {
        let mut bytes = [0u8; DATA_LEN as usize];
        bytes[0..4].copy_from_slice(&self.nr.to_le_bytes());
        bytes[4..8].copy_from_slice(&self.arch.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.ip.to_le_bytes());
        for (i, arg) in self.args.iter().enumerate() {
            bytes[16 + 8 * i..24 + 8 * i].copy_from_slice(&arg.to_le_bytes());
        }
        let at = offset as usize;
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }
}

/// Checks `program` as the kernel does before installing it (`bpf_check_classic` and
/// `seccomp_check_filter`): a length of 1 to 4096, only the instructions seccomp
/// allows, 32-bit loads of `seccomp_data` at aligned offsets, jumps that land inside,
/// a return last, no division by a constant 0, scratch memory in range.
pub fn check(program: &[Insn]) -> Result<(), String> {
    if program.is_empty() || program.len() > MAX_INSNS {
        return Err(format!("{} instructions", program.len()));
    }
    for (pc, insn) in program.iter().enumerate() {
        let fail = |what: &str| Err(format!("instruction {pc} ({insn:?}): {what}"));
        let rest = program.len() - pc - 1;
        let class = insn.code & 0x07;
        match class {
            LD | LDX => match insn.code & 0xe0 {
                ABS if class == LD && insn.code & 0x18 == W => {
                    if insn.k % 4 != 0 || insn.k >= DATA_LEN {
                        return fail("load outside seccomp_data or unaligned");
                    }
                }
                IMM => {}
                MEM if insn.k < MEMWORDS => {}
                LEN if insn.code & 0x18 == W => {}
                _ => return fail("a load seccomp refuses"),
            },
            ST | STX if insn.k < MEMWORDS => {}
            ALU => {
                let op = insn.code & 0xf0;
                if !matches!(
                    op,
                    ADD | SUB | MUL | DIV | OR | AND | LSH | RSH | NEG | MOD | XOR
                ) {
                    return fail("unknown arithmetic");
                }
                if matches!(op, DIV | MOD) && insn.code & X == 0 && insn.k == 0 {
                    return fail("division by zero");
                }
            }
            JMP => {
                let op = insn.code & 0xf0;
                if op == JA {
                    if insn.code != JMP | JA || insn.k as usize >= rest {
                        return fail("jump out of the program");
                    }
                } else if !matches!(op, JEQ | JGT | JGE | JSET)
                    || usize::from(insn.jt) >= rest
                    || usize::from(insn.jf) >= rest
                {
                    return fail("conditional jump out of the program");
                }
            }
            RET if matches!(insn.code & 0x18, K | A) => {}
            MISC if matches!(insn.code & 0xf8, TAX | TXA) => {}
            _ => return fail("an instruction seccomp refuses"),
        }
    }
    match program.last() {
        Some(last) if last.code & 0x07 == RET => Ok(()),
        _ => Err("the last instruction is not a return".into()),
    }
}

/// Runs `program` (checked by [`check`]) on `data`: the `SECCOMP_RET_*` value it
/// returns, and how many instructions it executed.
pub fn run(program: &[Insn], data: &Data) -> (u32, usize) {
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; MEMWORDS as usize];
    let mut pc = 0;
    let mut steps = 0;
    loop {
        let insn = program[pc];
        steps += 1;
        pc += 1;
        let operand = if insn.code & X != 0 { x } else { insn.k };
        match insn.code & 0x07 {
            LD => {
                a = match insn.code & 0xe0 {
                    ABS => data.word(insn.k),
                    MEM => mem[insn.k as usize],
                    LEN => DATA_LEN,
                    _ => insn.k,
                }
            }
            LDX => {
                x = match insn.code & 0xe0 {
                    MEM => mem[insn.k as usize],
                    LEN => DATA_LEN,
                    _ => insn.k,
                }
            }
            ST => mem[insn.k as usize] = a,
            STX => mem[insn.k as usize] = x,
            ALU => {
                a = match insn.code & 0xf0 {
                    ADD => a.wrapping_add(operand),
                    SUB => a.wrapping_sub(operand),
                    MUL => a.wrapping_mul(operand),
                    DIV => a.checked_div(operand).unwrap_or(0),
                    MOD => a.checked_rem(operand).unwrap_or(0),
                    OR => a | operand,
                    AND => a & operand,
                    LSH => a.checked_shl(operand).unwrap_or(0),
                    RSH => a.checked_shr(operand).unwrap_or(0),
                    NEG => a.wrapping_neg(),
                    _ => a ^ operand,
                }
            }
            JMP => {
                let taken = match insn.code & 0xf0 {
                    JA => {
                        pc += insn.k as usize;
                        continue;
                    }
                    JEQ => a == operand,
                    JGT => a > operand,
                    JGE => a >= operand,
                    _ => a & operand != 0,
                };
                pc += usize::from(if taken { insn.jt } else { insn.jf });
            }
            RET => return (if insn.code & 0x18 == A { a } else { insn.k }, steps),
            _ => {
                if insn.code & 0xf8 == TAX {
                    x = a;
                } else {
                    a = x;
                }
            }
        }
    }
}
