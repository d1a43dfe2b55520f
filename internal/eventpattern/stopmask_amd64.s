//go:build amd64 && !purego

#include "textflag.h"

// func stopMasksCopySSE2(src *byte, blocks int, dst *byte, masks *uint64)
// For each of blocks 64-byte blocks at src, copies the block to dst (from
// the registers the mask is computed from) and stores one word at masks
// whose bit i is set when byte i is '"', '\\' or below 0x20. SSE2 is part
// of the amd64 baseline, so no feature check is needed.
TEXT ·stopMasksCopySSE2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ dst+16(FP), R9
	MOVQ masks+24(FP), DI
	TESTQ CX, CX
	JEQ donec
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X11
	PUNPCKLQDQ X11, X11
	MOVQ $0x1f1f1f1f1f1f1f1f, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12

loopc:
	MOVOU 0(SI), X0
	MOVOU X0, 0(R9)
	MOVOU X0, X1
	PCMPEQB X10, X1
	MOVOU X0, X2
	PCMPEQB X11, X2
	MOVOU X0, X3
	PMINUB X12, X3
	PCMPEQB X0, X3
	POR X2, X1
	POR X3, X1
	PMOVMSKB X1, AX

	MOVOU 16(SI), X4
	MOVOU X4, 16(R9)
	MOVOU X4, X5
	PCMPEQB X10, X5
	MOVOU X4, X6
	PCMPEQB X11, X6
	MOVOU X4, X7
	PMINUB X12, X7
	PCMPEQB X4, X7
	POR X6, X5
	POR X7, X5
	PMOVMSKB X5, BX

	MOVOU 32(SI), X0
	MOVOU X0, 32(R9)
	MOVOU X0, X1
	PCMPEQB X10, X1
	MOVOU X0, X2
	PCMPEQB X11, X2
	MOVOU X0, X3
	PMINUB X12, X3
	PCMPEQB X0, X3
	POR X2, X1
	POR X3, X1
	PMOVMSKB X1, DX

	MOVOU 48(SI), X4
	MOVOU X4, 48(R9)
	MOVOU X4, X5
	PCMPEQB X10, X5
	MOVOU X4, X6
	PCMPEQB X11, X6
	MOVOU X4, X7
	PMINUB X12, X7
	PCMPEQB X4, X7
	POR X6, X5
	POR X7, X5
	PMOVMSKB X5, R8

	SHLQ $16, BX
	SHLQ $32, DX
	SHLQ $48, R8
	ORQ BX, AX
	ORQ R8, DX
	ORQ DX, AX
	MOVQ AX, (DI)

	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $8, DI
	DECQ CX
	JNZ loopc

donec:
	RET
