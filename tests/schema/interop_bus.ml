(* SPDX-License-Identifier: MIT *)
(* OCaml side of the bus interop tests (tests/suites/interop.sh): the bus
   commands of interop.py over the OCaml binding, with the generated module
   S and the sample values of sample.ml.  TRANSPORT is ring:DOMAIN or tcp
   (interop.py has the protocol of the READY files).

     interop_bus publish TRANSPORT N [READY...]  N samples of every type,
                                                 schema order
     interop_bus receive TRANSPORT N READY       subscribe, create READY,
                                                 receive and print N
                                                 messages of every type
     interop_bus refused ring:DOMAIN             the schema digest check
     interop_bus refused tcp listen|dial READY   (see interop.py)

   Every bus carries S.schema_digest, but for the "other" digest (every
   byte inverted) of "refused". *)

open Sample
module M = Mycelium

let fail fmt = Printf.ksprintf (fun s -> prerr_endline ("interop-ml: " ^ s); exit 1) fmt

let other_digest = String.map (fun c -> Char.chr (Char.code c lxor 0xff)) S.schema_digest

let open_bus ?(digest = S.schema_digest) transport name =
  let bus =
    if String.starts_with ~prefix:"ring:" transport then
      M.Bus.create ~name ~digest
        ~ring_domain:(String.sub transport 5 (String.length transport - 5)) ()
    else if transport = "tcp" then M.Bus.create ~name ~digest ()
    else fail "unknown transport %s" transport
  in
  List.iter
    (fun (module X : S.MESSAGE) ->
      M.Bus.topic bus ~type_id:X.type_id ~policy:M.Lossless ~depth:64 ~max_size:X.size ())
    S.messages;
  bus

(* Create [path] with [text] atomically (write, then rename). *)
let put_file path text =
  let oc = open_out (path ^ ".tmp") in
  output_string oc text;
  close_out oc;
  Sys.rename (path ^ ".tmp") path

let read_ready path =
  let ic = open_in path in
  let line = input_line ic in
  close_in ic;
  match String.split_on_char ' ' line with
  | [ peer; addr ] -> (peer, addr)
  | _ -> fail "ready file %s: %S" path line

(* Until [peer]'s link is up and it subscribed [type_id] (20 s at most). *)
let wait_wants bus peer name type_id =
  let enoent = M.Errors.enoent in
  let rec go t =
    let wants =
      try M.Bus.net_peer_wants bus ~peer ~type_id
      with M.Error (c, _) when c = enoent -> false
    in
    if not wants then
      if t = 2000 then fail "%s: peer %s never subscribed" name peer
      else (
        Thread.delay 0.01;
        go (t + 1))
  in
  go 0

let publish transport n readies =
  let bus = open_bus transport "interop-ml-tx" in
  let tcp = transport = "tcp" in
  if tcp then begin
    let peers = List.map read_ready readies in
    List.iter (fun (_, addr) -> M.Bus.net_connect bus addr) peers;
    List.iter
      (fun (peer, _) ->
        List.iter
          (fun (module X : S.MESSAGE) -> wait_wants bus peer X.name X.type_id)
          S.messages)
      peers
  end;
  List.iter
    (fun (module X : S.MESSAGE) ->
      let pub = M.Publisher.create ~timeout_ms:10000 bus ~type_id:X.type_id in
      let b = X.encode (X.of_values (sample_values (module X))) in
      for _ = 1 to n do
        M.Publisher.send pub b
      done;
      M.Publisher.close pub)
    S.messages;
  (* tcp: keep the bus (and its queued frames) until every receiver has
     received everything. *)
  if tcp then
    List.iter
      (fun r ->
        let rec go t =
          if t < 6000 && not (Sys.file_exists (r ^ ".done")) then (
            Thread.delay 0.01;
            go (t + 1))
        in
        go 0)
      readies;
  M.Bus.close bus

let receive transport n ready =
  let name = "interop-ml-rx" in
  let bus = open_bus transport name in
  let line =
    if transport = "tcp" then begin
      M.Bus.net_listen bus "tcp:127.0.0.1:0";
      Printf.sprintf "%s %s\n" name (M.Bus.net_addr bus)
    end
    else ""
  in
  let subs =
    List.map (fun (module X : S.MESSAGE) -> M.Subscriber.create bus ~type_id:X.type_id) S.messages
  in
  put_file ready line;
  List.iter2
    (fun (module X : S.MESSAGE) sub ->
      for _ = 1 to n do
        match M.Subscriber.recv ~timeout_ms:10000 sub with
        | None -> fail "%s: nothing received" X.name
        | Some m ->
          if m.M.Subscriber.header.M.Frame.type_id <> X.type_id
             || Bytes.length m.M.Subscriber.payload <> X.size
          then fail "%s: wrong type or size" X.name;
          show X.name X.fields (X.to_values (X.decode m.M.Subscriber.payload))
      done)
    S.messages subs;
  flush stdout;
  put_file (ready ^ ".done") "";
  M.Bus.close bus

(* Until [path] exists (20 s at most). *)
let wait_file path =
  let rec go t =
    if t < 2000 && not (Sys.file_exists path) then (
      Thread.delay 0.01;
      go (t + 1))
  in
  go 0

(* The bus's refused handshake (20 s at most), printed "net: TEXT". *)
let wait_net_error bus =
  let rec go t =
    match M.Bus.net_error bus with
    | Some (c, text) ->
      if c <> M.Errors.digest then fail "net: not a digest error: %s" text;
      print_endline ("net: " ^ text)
    | None ->
      if t = 2000 then fail "net: no handshake error";
      Thread.delay 0.01;
      go (t + 1)
  in
  go 0

let refused args =
  let bus =
    match args with
    | [ transport ] when String.starts_with ~prefix:"ring:" transport ->
      let bus = open_bus ~digest:other_digest transport "interop-ml-bad" in
      let (module X : S.MESSAGE) = List.hd S.messages in
      (match M.Subscriber.create bus ~type_id:X.type_id with
       | _ -> fail "subscribe: not refused"
       | exception M.Error (c, text) ->
         if c <> M.Errors.digest then fail "subscribe: %s" text;
         print_endline ("subscribe: " ^ text));
      let pub = M.Publisher.create ~timeout_ms:0 bus ~type_id:X.type_id in
      (match M.Publisher.send pub (X.encode (X.of_values (sample_values (module X)))) with
       | () -> fail "publish: not refused"
       | exception M.Error (c, text) ->
         if c <> M.Errors.digest then fail "publish: %s" text;
         print_endline ("publish: " ^ text));
      M.Publisher.close pub;
      bus
    | [ "tcp"; "listen"; ready ] ->
      let name = "interop-ml-rx" in
      let bus = open_bus "tcp" name in
      M.Bus.net_listen bus "tcp:127.0.0.1:0";
      put_file ready (Printf.sprintf "%s %s\n" name (M.Bus.net_addr bus));
      wait_net_error bus;
      wait_file (ready ^ ".done");
      bus
    | [ "tcp"; "dial"; ready ] ->
      let bus = open_bus ~digest:other_digest "tcp" "interop-ml-tx" in
      M.Bus.net_connect bus (snd (read_ready ready));
      wait_net_error bus;
      put_file (ready ^ ".done") "";
      bus
    | _ -> fail "bad refused arguments"
  in
  flush stdout;
  M.Bus.close bus

let () =
  match Array.to_list Sys.argv with
  | _ :: "refused" :: args -> refused args
  | _ :: "publish" :: transport :: n :: readies -> publish transport (int_of_string n) readies
  | [ _; "receive"; transport; n; ready ] -> receive transport (int_of_string n) ready
  | _ ->
    prerr_endline "usage: interop_bus publish TRANSPORT N [READY...]|receive TRANSPORT N READY";
    exit 2
