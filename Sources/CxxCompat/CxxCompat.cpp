// std::__throw_bad_array_new_length() is GLIBCXX_3.4.29 (GCC 11); the Swift
// runtime's static libraries call it. Defining it here lets the CML bundle,
// linked against a glibc 2.31 root (GCC 10's libstdc++), run there.
#include <new>

namespace std {
[[noreturn]] __attribute__((visibility("default"))) void __throw_bad_array_new_length() {
    throw bad_array_new_length();
}
}
