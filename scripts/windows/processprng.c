/*
 * processprng.c — a stand-in bcryptprimitives.dll for Wine 8.0.
 *
 * Go 1.22 and later fill their random source with bcryptprimitives.dll!ProcessPrng, which
 * Windows 10 and later have and Wine 8.0 does not: a Go program for Windows then stops at start
 * with "bcryptprimitives.dll not found". scripts/windows-setup.sh builds this file with mingw-w64
 * and puts the DLL into the Wine prefix's system32. It exports ProcessPrng only, with the
 * documented signature (BOOL ProcessPrng(PBYTE pbData, SIZE_T cbData), always TRUE), and fills the
 * buffer from the system RNG through advapi32!SystemFunction036 (RtlGenRandom), which Wine has.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll processprng.c processprng.def
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *rtl_gen_random_fn)(PVOID buffer, ULONG length);

static rtl_gen_random_fn rtl_gen_random(void)
{
    static rtl_gen_random_fn fn;
    if (fn == NULL) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (advapi != NULL)
            fn = (rtl_gen_random_fn)(void *)GetProcAddress(advapi, "SystemFunction036");
    }
    return fn;
}

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    rtl_gen_random_fn fn = rtl_gen_random();
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (fn == NULL || !fn(data, n)) {
            /* Windows' ProcessPrng never fails; a Go program would abort on FALSE. Without a
             * random source there is nothing sensible to return, so stop loudly. */
            FatalAppExitA(0, "bcryptprimitives stub: RtlGenRandom unavailable");
        }
        data += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst;
    (void)reason;
    (void)reserved;
    return TRUE;
}
