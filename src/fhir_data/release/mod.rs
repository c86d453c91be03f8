//! DSTU2 and STU3 renditions (work in progress).
